import type { IncomingMessage } from 'node:http'
import { bodyNotInvited } from './expect-continue.ts'

/** At most this much of a rejected body is read and discarded so the client sees our answer. */
const DRAIN_LIMIT_BYTES = 16 * 1024 * 1024

/**
 * Reads and discards the rest of a body we rejected. Clients that are still sending when the
 * connection closes (curl, requests) report a broken pipe instead of our error; a huge body is
 * cut off after the limit instead.
 */
export async function drainBody(request: IncomingMessage): Promise<void> {
  if (request.complete || request.readableEnded || request.destroyed) return
  if (bodyNotInvited(request)) return
  await new Promise<void>((resolve) => {
    let drained = 0
    request.on('data', (chunk: Buffer) => {
      drained += chunk.length
      if (drained > DRAIN_LIMIT_BYTES) {
        request.destroy()
        resolve()
      }
    })
    request.once('end', resolve)
    request.once('close', resolve)
    request.resume()
  })
}
