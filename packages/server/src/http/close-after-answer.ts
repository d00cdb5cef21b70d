/**
 * Answering while the client is still sending its body (an upload refused for its key, its size,
 * a full disk): if we closed the connection at once, the client's next bytes would meet a closed
 * socket, its TCP stack would reset the connection, and the reset throws away our answer before
 * the client reads it ("Connection reset by peer" instead of the 413). So, as RFC 9112 section
 * 9.6 advises, we close our side only (FIN) once the answer is written, keep reading and
 * discarding what still arrives, and close fully when the client stops sending or after a bound.
 * Nothing of the body is kept, and nothing waits for gigabytes to drain.
 */
import type { IncomingMessage } from 'node:http'

/** How long a client that ignores our answer may keep sending before the connection is cut. */
const LINGER_MS = 5_000

/** Call before answering a request whose body is not read to its end. */
export function closeAfterAnswer(request: IncomingMessage): void {
  const socket = request.socket
  request.resume()
  // Node calls destroySoon once a `Connection: close` answer is written; linger instead.
  socket.destroySoon = () => {
    socket.end()
    const cut = setTimeout(() => socket.destroy(), LINGER_MS)
    cut.unref()
    socket.once('close', () => clearTimeout(cut))
    socket.once('end', () => socket.destroy())
  }
}
