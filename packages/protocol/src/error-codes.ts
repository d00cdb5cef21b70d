/**
 * The closed list of error codes Granary answers with. Clients (TypeScript and Python) raise
 * ApiError with these codes; `docs/errors.md` documents each one and a test keeps both in sync.
 */
export const ERROR_CODES = [
  'invalid_request',
  'invalid_key',
  'invalid_move',
  'unauthenticated',
  'insufficient_scope',
  'quota_exceeded',
  'invalid_signature',
  'url_expired',
  'link_revoked',
  'workspace_not_found',
  'file_not_found',
  'upload_not_found',
  'job_not_found',
  'version_not_found',
  'trash_item_not_found',
  'api_key_not_found',
  'route_not_found',
  'webhook_not_found',
  'webhook_delivery_not_found',
  'webhook_url_refused',
  'workspace_exists',
  'file_exists',
  'version_is_current',
  'upload_ambiguous',
  'upload_not_received',
  'upload_already_received',
  'upload_superseded',
  'upload_incomplete',
  'upload_timeout',
  'upload_too_large',
  'request_too_large',
  'unsupported_media_type',
  'size_mismatch',
  'checksum_mismatch',
  'range_not_satisfiable',
  'invalid_region',
  'unsupported_format',
  'index_missing',
  'storage_link_refused',
  'scrub_running',
  'rate_limited',
  'storage_unavailable',
  'database_unavailable',
  'internal_error',
] as const

export type ErrorCode = (typeof ERROR_CODES)[number]

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (ERROR_CODES as readonly string[]).includes(value)
}
