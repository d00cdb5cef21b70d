/** The only place that knows HTTP statuses: every error leaves as `{"error": {code, message}}`. */
import type { ErrorBody, ErrorCode } from '@granary/protocol'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, isAppError } from '../domain/errors.ts'
import { closeAfterAnswer } from './close-after-answer.ts'
import { bodyNotInvited } from './expect-continue.ts'
import { validationMessage } from './validation-message.ts'

export const STATUS_BY_CODE = {
  invalid_request: 400,
  invalid_key: 400,
  invalid_move: 400,
  upload_incomplete: 400,
  upload_timeout: 408,
  unauthenticated: 401,
  insufficient_scope: 403,
  quota_exceeded: 403,
  invalid_signature: 403,
  storage_link_refused: 403,
  url_expired: 403,
  link_revoked: 403,
  workspace_not_found: 404,
  file_not_found: 404,
  upload_not_found: 404,
  job_not_found: 404,
  version_not_found: 404,
  trash_item_not_found: 404,
  api_key_not_found: 404,
  route_not_found: 404,
  webhook_not_found: 404,
  webhook_delivery_not_found: 404,
  webhook_url_refused: 400,
  workspace_exists: 409,
  file_exists: 409,
  scrub_running: 409,
  version_is_current: 409,
  upload_ambiguous: 409,
  upload_not_received: 409,
  upload_already_received: 409,
  upload_superseded: 409,
  upload_too_large: 413,
  request_too_large: 413,
  unsupported_media_type: 415,
  range_not_satisfiable: 416,
  invalid_region: 400,
  unsupported_format: 415,
  index_missing: 422,
  size_mismatch: 422,
  checksum_mismatch: 422,
  rate_limited: 429,
  storage_unavailable: 503,
  database_unavailable: 503,
  internal_error: 500,
} as const satisfies Record<ErrorCode, number>

/** Errors an operator must see in the log (with the cause), though the client gets a clear code. */
const OPERATOR_CODES = new Set<ErrorCode>([
  'storage_unavailable',
  'database_unavailable',
  'storage_link_refused',
])

/** Seconds a client should wait before retrying a 503. */
const RETRY_AFTER_SECONDS = 5

/** Fastify's own errors (parsing, validation) in Granary's terms. */
function fromFastify(error: FastifyError): AppError | undefined {
  if (error.validation) {
    return new AppError(
      'invalid_request',
      validationMessage(error.validation, error.validationContext),
    )
  }
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('request_too_large', 'The JSON body is too large.')
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError(
        'unsupported_media_type',
        'Send JSON (application/json) or, for uploads, multipart/form-data.',
      )
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return new AppError('invalid_request', 'The body is not valid JSON.')
  }
  if (error instanceof SyntaxError || (error.statusCode && error.statusCode < 500)) {
    return new AppError('invalid_request', `Invalid request: ${error.message}`)
  }
  return undefined
}

export function errorBody(error: AppError, requestId: string): ErrorBody {
  return {
    error: {
      code: error.code,
      message: error.message,
      request_id: requestId,
      ...(error.details ? { details: error.details } : {}),
    },
  }
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    const known = isAppError(error) ? error : fromFastify(error)
    if (!known) request.log.error({ err: error }, 'unexpected error')
    else if (OPERATOR_CODES.has(known.code)) {
      request.log.warn({ err: error.cause ?? error }, known.message)
    }
    const answer =
      known ??
      new AppError(
        'internal_error',
        'Something went wrong on our side; the request id identifies it in the server log.',
      )
    const status = STATUS_BY_CODE[answer.code]
    if (status === 503) reply.header('retry-after', String(RETRY_AFTER_SECONDS))
    if (answer.code === 'range_not_satisfiable')
      reply.header('content-range', `bytes */${answer.details?.size ?? '*'}`)
    // A body we did not read to its end leaves the connection unusable: answer now, then close.
    if (!request.raw.complete) {
      reply.header('connection', 'close')
      if (!bodyNotInvited(request.raw)) closeAfterAnswer(request.raw)
    }
    return reply.code(status).type('application/json').send(errorBody(answer, request.id))
  })
  app.setNotFoundHandler((request, reply) => {
    const error = new AppError(
      'route_not_found',
      `No route ${request.method} ${request.url.split('?')[0]}; see /docs.`,
    )
    reply.code(404).send(errorBody(error, request.id))
  })
}
