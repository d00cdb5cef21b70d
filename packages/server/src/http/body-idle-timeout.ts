import type { FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../domain/errors.ts'
import { errorBody } from './error-handler.ts'

/**
 * Abandons a request body that sends nothing for `ms`: an idle timeout, not a total one, so a
 * 500 MB upload over a slow link still finishes. Time spent waiting on our own disk (the body is
 * paused by backpressure) does not count. It polls the socket's byte count rather than listening
 * for 'data', which would switch the body into flowing mode.
 *
 * A stalled client is answered `408 upload_timeout` with `Connection: close` first; only then is
 * the body destroyed, which fails the upload so nothing is kept.
 */
export function abandonIdleBody(request: FastifyRequest, reply: FastifyReply, ms: number) {
  const raw = request.raw
  let lastBytes = raw.socket.bytesRead
  let lastChange = Date.now()
  const timer = setInterval(
    () => {
      const bytes = raw.socket.bytesRead
      if (bytes !== lastBytes || raw.isPaused() || raw.readableLength > 0) {
        lastBytes = bytes
        lastChange = Date.now()
      } else if (Date.now() - lastChange >= ms) {
        stop()
        timeOut(request, reply, ms)
      }
    },
    Math.max(100, Math.floor(ms / 4)),
  )
  timer.unref()
  const stop = () => clearInterval(timer)
  raw.once('end', stop)
  raw.once('close', stop)
  return stop
}

function timeOut(request: FastifyRequest, reply: FastifyReply, ms: number): void {
  const error = new AppError(
    'upload_timeout',
    `No bytes arrived for ${ms / 1000} s; the upload was abandoned and nothing was kept. Send it again.`,
  )
  const response = reply.raw
  if (response.headersSent) {
    request.raw.destroy(error)
    return
  }
  const body = JSON.stringify(errorBody(error, request.id))
  // The handler is still waiting on the body: from here on the answer is ours, not Fastify's.
  reply.hijack()
  response.writeHead(408, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-request-id': request.id,
    connection: 'close',
  })
  response.end(body, () => request.raw.destroy(error))
}
