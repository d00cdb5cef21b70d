import type { ErrorCode } from '@granary/protocol'

/** A code from the closed list, or one a newer server added that this client does not know. */
export type ApiErrorCode = ErrorCode | (string & {})

export interface ApiErrorInit {
  status: number
  code: ApiErrorCode
  message: string
  requestId?: string | undefined
  details?: Record<string, unknown> | undefined
  /** From `Retry-After` on a 429 or 503: how long the server asked to wait, in ms. */
  retryAfterMs?: number | undefined
}

/**
 * The server answered with an error. `code` is one of the protocol's error codes.
 *
 * @example
 * try {
 *   await client.files.delete('raw/x.vcf', { workspaceId: 'ws_abc123' })
 * } catch (err) {
 *   if (err instanceof ApiError && err.code === 'file_not_found') console.log('already gone')
 *   else throw err
 * }
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly status: number
  readonly code: ApiErrorCode
  readonly requestId: string | undefined
  readonly details: Record<string, unknown> | undefined
  /** How long the server asked to wait before retrying (`Retry-After`), in ms; else undefined. */
  readonly retryAfterMs: number | undefined

  constructor(init: ApiErrorInit) {
    super(init.message)
    this.status = init.status
    this.code = init.code
    this.requestId = init.requestId
    this.details = init.details
    this.retryAfterMs = init.retryAfterMs
  }
}

/**
 * The request never got an HTTP answer (refused connection, DNS, reset, TLS). `cause` has the
 * why; the message says what to check, naming `setting` (where the URL came from).
 */
export class NetworkError extends Error {
  override readonly name = 'NetworkError'
  readonly code = 'network_error'
  readonly url: string

  constructor(url: string, cause: unknown, setting = 'GRANARY_URL') {
    super(describeFailure(url, cause, setting), { cause })
    this.url = url
  }
}

function describeFailure(url: string, cause: unknown, setting: string): string {
  const inner = innermost(cause)
  const reason = `Could not reach ${url}: ${inner.message}`
  const text = `${inner.code ?? ''} ${inner.message}`
  if (/ECONNREFUSED/.test(text)) {
    return `${reason}. Is the Granary server running (granary serve)? Check ${setting}.`
  }
  if (/ENOTFOUND|EAI_AGAIN/.test(text)) return `${reason}. No such host: check ${setting}.`
  if (/WRONG_VERSION_NUMBER|wrong version number|packet length too long/i.test(text)) {
    return `${reason}. The TLS handshake failed: the server speaks plain HTTP, not HTTPS; use an http:// URL in ${setting}.`
  }
  return reason
}

/** undici wraps the socket error: TypeError('fetch failed', { cause: Error('connect ECONNREFUSED') }) */
function innermost(cause: unknown): { message: string; code?: string } {
  if (!(cause instanceof Error)) return { message: String(cause) }
  const inner = cause.cause instanceof Error ? cause.cause : cause
  const code = (inner as { code?: unknown }).code
  return { message: inner.message, ...(typeof code === 'string' ? { code } : {}) }
}

/** An answer that is an HTML page, not Granary's JSON: the URL points at some other server. */
export function notGranaryError(response: Response, setting: string): ApiError | undefined {
  const type = response.headers.get('content-type') ?? ''
  // A proxy's 502/503/504 page is a Granary behind it being down, not a wrong URL.
  if (!/^text\/html/i.test(type) || [502, 503, 504].includes(response.status)) return undefined
  return new ApiError({
    status: response.status,
    code: response.ok
      ? 'internal_error'
      : response.status >= 500
        ? 'internal_error'
        : 'invalid_request',
    message: `${response.url || 'the server'} answered HTTP ${response.status} with an HTML page, not Granary's JSON: ${setting} does not point at a Granary server (check the host, port and path).`,
    requestId: response.headers.get('x-request-id') ?? undefined,
  })
}

/** Builds the ApiError for a non-2xx response, reading its JSON error body when it has one. */
export async function apiErrorFrom(response: Response, setting = 'GRANARY_URL'): Promise<ApiError> {
  const headerId = response.headers.get('x-request-id') ?? undefined
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'))
  const text = await response.text().catch(() => '')
  const body = parseErrorBody(text)
  if (body) {
    const requestId = body.requestId ?? headerId
    return new ApiError({ ...body, status: response.status, requestId, retryAfterMs })
  }
  const foreign = notGranaryError(response, setting)
  if (foreign) return foreign
  const snippet = text.trim().slice(0, 200)
  const reason = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`
  return new ApiError({
    status: response.status,
    code: response.status === 413 ? 'request_too_large' : 'internal_error',
    message: snippet ? `${reason}: ${snippet}` : reason,
    requestId: headerId,
    retryAfterMs,
  })
}

/** RFC 9110 §10.2.3: `Retry-After` is delay-seconds or an HTTP-date; in ms, never negative. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const trimmed = value.trim()
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000
  const date = Date.parse(trimmed)
  return Number.isNaN(date) ? undefined : Math.max(0, date - now)
}

type ParsedError = Omit<ApiErrorInit, 'status'>

function parseErrorBody(text: string): ParsedError | undefined {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return undefined
  }
  const error = isRecord(json) ? json.error : undefined
  if (!isRecord(error) || typeof error.code !== 'string') return undefined
  return {
    code: error.code,
    message: typeof error.message === 'string' ? error.message : error.code,
    requestId: typeof error.request_id === 'string' ? error.request_id : undefined,
    details: isRecord(error.details) ? error.details : undefined,
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
