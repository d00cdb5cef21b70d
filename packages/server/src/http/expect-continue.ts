/**
 * `Expect: 100-continue` (RFC 9110, 10.1.1). Node answers `100 Continue` at once unless the server
 * listens for 'checkContinue'; we listen, and send it only when a route starts reading the body,
 * which is after the onRequest hooks checked the key and its scope and the route checked what it
 * can before the bytes (the declared size, the signature). A request refused before that gets its
 * final status at once, and Node closes the connection since the body was never invited.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'

const waiting = new WeakSet<IncomingMessage>()

export function installExpectContinue(server: Server): void {
  server.on('checkContinue', (request: IncomingMessage, response: ServerResponse) => {
    waiting.add(request)
    request.once('resume', () => {
      if (waiting.delete(request) && !response.headersSent) response.writeContinue()
    })
    server.emit('request', request, response)
  })
}

/** True while a client waits for `100 Continue` before sending its body: there is none to drain. */
export function bodyNotInvited(request: IncomingMessage): boolean {
  return waiting.has(request)
}
