import { AppError, isAppError } from '../../domain/errors.ts'
import { bodyEndedEarly } from '../metered-body.ts'

interface S3ErrorShape {
  name?: string
  code?: string
  $metadata?: { httpStatusCode?: number }
}

/** The S3 error name (`NoSuchKey`, `SlowDown`, ...) and HTTP status, when the error has them. */
export function s3ErrorOf(error: unknown): {
  name: string
  status: number | undefined
} {
  const shape = (typeof error === 'object' && error !== null ? error : {}) as S3ErrorShape
  return {
    name: shape.name ?? shape.code ?? '',
    status: shape.$metadata?.httpStatusCode,
  }
}

export function isNotFound(error: unknown): boolean {
  const { name, status } = s3ErrorOf(error)
  // A missing bucket is a configuration problem, not a missing blob (HEAD cannot tell them apart).
  return name === 'NoSuchKey' || name === 'NotFound' || (status === 404 && name !== 'NoSuchBucket')
}

export function isAbortError(error: unknown): boolean {
  return s3ErrorOf(error).name === 'AbortError'
}

// Credentials or bucket problems: retrying will not help, an operator must fix the config.
const MISCONFIGURED = new Set([
  'AccessDenied',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'NoSuchBucket',
  'AuthorizationHeaderMalformed',
  'PermanentRedirect',
])

/**
 * Translates an SDK or network error into `storage_unavailable` (503 with Retry-After): down,
 * throttled, timed out or misconfigured stores are all "storage cannot serve this now", never a
 * 500. AppErrors and aborts pass through untouched.
 */
export function storageError(error: unknown, action: string): unknown {
  if (isAppError(error) || isAbortError(error)) return error
  const { name, status } = s3ErrorOf(error)
  const message = MISCONFIGURED.has(name)
    ? `The storage service refused to ${action} (${name}); an operator should check the bucket and its credentials.`
    : `The storage service could not ${action} right now; try again shortly.`
  return new AppError('storage_unavailable', message, {
    cause: error,
    details: {
      storage_error: name || 'network',
      ...(status ? { storage_status: status } : {}),
    },
  })
}

/** The body failed, broke a size limit or was aborted: say so, the store is not at fault. */
export function bodyFailure(error: unknown, received: number): unknown {
  if (isAppError(error)) return error
  const code = (error as NodeJS.ErrnoException).code
  // The client went away mid-body: the upload was aborted, nothing was kept.
  if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET')
    return bodyEndedEarly(received)
  return error
}
