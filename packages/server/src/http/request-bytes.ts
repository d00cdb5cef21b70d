/**
 * The bytes each request moved, for its log line and /metrics, counted at the socket: bodies are
 * streamed to and from the stores, so nothing else sees them whole. A keep-alive socket carries
 * one request at a time (HTTP/1.1), so what it read and wrote since the previous answer on it
 * belongs to this request: request line, headers and body. Requests without a real socket
 * (inject() in tests) fall back to the declared Content-Length of each side.
 */
import type { Socket } from 'node:net'
import type { FastifyReply, FastifyRequest } from 'fastify'

export interface RequestBytes {
  readonly bytesIn: number
  readonly bytesOut: number
}

/** Socket counters at the end of the previous request measured on that socket. */
const marks = new WeakMap<Socket, RequestBytes>()
/** Each request measured once (its log line and its metrics read the same numbers). */
const measured = new WeakMap<FastifyRequest, RequestBytes>()

/** The bytes `request` moved so far; the first call for a request fixes them. */
export function requestBytes(request: FastifyRequest, reply: FastifyReply): RequestBytes {
  const known = measured.get(request)
  if (known) return known
  const bytes = fromSocket(request.raw.socket) ?? declared(request, reply)
  measured.set(request, bytes)
  return bytes
}

function fromSocket(socket: Socket | null | undefined): RequestBytes | undefined {
  if (!socket || typeof socket.bytesRead !== 'number' || typeof socket.bytesWritten !== 'number') {
    return undefined
  }
  const now = { bytesIn: socket.bytesRead, bytesOut: socket.bytesWritten }
  const before = marks.get(socket) ?? { bytesIn: 0, bytesOut: 0 }
  marks.set(socket, now)
  return { bytesIn: now.bytesIn - before.bytesIn, bytesOut: now.bytesOut - before.bytesOut }
}

function declared(request: FastifyRequest, reply: FastifyReply): RequestBytes {
  return {
    bytesIn: length(request.headers['content-length']),
    bytesOut: length(reply.getHeader('content-length')),
  }
}

function length(value: unknown): number {
  const n = Number(Array.isArray(value) ? value[0] : value)
  return Number.isSafeInteger(n) && n > 0 ? n : 0
}
