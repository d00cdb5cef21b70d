import type { IncomingMessage } from 'node:http'
import { AppError } from '../domain/errors.ts'

/**
 * Abandons a request body that sends nothing for `ms`: an idle timeout, not a total one, so a
 * 500 MB upload over a slow link still finishes. Time spent waiting on our own disk (the body is
 * paused by backpressure) does not count. It polls the socket's byte count rather than listening
 * for 'data', which would switch the body into flowing mode.
 */
export function abandonIdleBody(request: IncomingMessage, ms: number): () => void {
  let lastBytes = request.socket.bytesRead
  let lastChange = Date.now()
  const timer = setInterval(
    () => {
      const bytes = request.socket.bytesRead
      if (bytes !== lastBytes || request.isPaused() || request.readableLength > 0) {
        lastBytes = bytes
        lastChange = Date.now()
      } else if (Date.now() - lastChange >= ms) {
        stop()
        request.destroy(
          new AppError(
            'upload_incomplete',
            `No bytes arrived for ${ms / 1000} s; the upload was abandoned.`,
          ),
        )
      }
    },
    Math.max(100, Math.floor(ms / 4)),
  )
  timer.unref()
  const stop = () => clearInterval(timer)
  request.once('end', stop)
  request.once('close', stop)
  return stop
}
