/**
 * No secret reaches the log (issue #11): signed URLs are bearer capabilities valid for days, and
 * an API key is a password. Every line pino writes passes through `redactSecrets` (its
 * `streamWrite` hook), so this holds on every route and for every field, whoever logs it; the
 * request serializer also keeps headers out of the log entirely.
 */
import type { FastifyRequest } from 'fastify'

const REDACTED = '[redacted]'

// Query parameters whose value is a secret: Granary's and S3's signatures and credentials, and
// API keys or tokens a client put in a URL.
const SECRET_PARAMS =
  'signature|x-amz-signature|x-amz-credential|x-amz-security-token|api_key|apikey|api-key|access_token|token|secret|password'
const SECRET_QUERY = new RegExp(`([?&;](?:${SECRET_PARAMS})=)[^&;#\\s"'\\\\]*`, 'gi')
// JSON fields holding a secret, in a serialized log line ("authorization":"Bearer ...").
const SECRET_FIELDS =
  'authorization|proxy-authorization|cookie|set-cookie|x-api-key|api_key|apikey|secret|password|signature|signing_secret'
const SECRET_JSON = new RegExp(`("(?:${SECRET_FIELDS})"\\s*:\\s*)"(?:[^"\\\\]|\\\\.)*"`, 'gi')
// Credentials after an auth scheme, wherever they appear (messages, error text).
const AUTH_SCHEME = /\b(Bearer|Basic)(\s+)[^\s"'\\,;]+/gi
// A Granary link's signature: the last field of the token in its path (domain/links/link-tokens.ts).
const LINK_SIGNATURE = /(\/v1\/links\/[^/\s"'?#]*\.)[A-Za-z0-9_-]+(?=\/)/g
// Granary API key secrets ('gr_' + 40 characters), wherever they appear.
const API_KEY = /\bgr_[a-z0-9]{20,}/gi

/** `text` with every secret it holds replaced by `[redacted]`. */
export function redactSecrets(text: string): string {
  return text
    .replace(SECRET_QUERY, `$1${REDACTED}`)
    .replace(LINK_SIGNATURE, `$1${REDACTED}`)
    .replace(SECRET_JSON, `$1"${REDACTED}"`)
    .replace(AUTH_SCHEME, `$1$2${REDACTED}`)
    .replace(API_KEY, REDACTED)
}

/** What a request log line says about the request: never its headers. */
function serializeRequest(request: FastifyRequest) {
  return {
    method: request.method,
    url: redactSecrets(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }
}

/** Fastify's `logger` option: pino at `level`, every line redacted. */
export function loggerOptions(level: string) {
  return {
    level,
    serializers: { req: serializeRequest },
    hooks: { streamWrite: redactSecrets },
  }
}
