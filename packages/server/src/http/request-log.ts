/**
 * Each request's last log line says what an operator needs to read it alone: besides the request
 * id (`reqId`) and the operation (`operation`, the route's operationId) every line of a request
 * carries, the status, the duration, the bytes in and out, and the id of the key that made it
 * (never its secret). Fastify's own line says only the status and the time.
 */
import { type FastifyReply, type FastifyRequest, LogController } from 'fastify'
import { callerKeyId } from './request-auth.ts'
import { requestBytes } from './request-bytes.ts'

/** The fields of a request's completion line. */
export function completionFields(request: FastifyRequest, reply: FastifyReply) {
  const keyId = callerKeyId(request)
  return {
    method: request.method,
    status: reply.statusCode,
    durationMs: Math.round(reply.elapsedTime * 10) / 10,
    ...requestBytes(request, reply),
    ...(keyId ? { keyId } : {}),
  }
}

/** Fastify's request lines, with the completion line in Granary's shape. */
export class RequestLog extends LogController {
  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const fields = completionFields(request, reply)
    if (error) reply.log.error({ ...fields, err: error }, 'request errored')
    else reply.log.info(fields, 'request completed')
  }
}
