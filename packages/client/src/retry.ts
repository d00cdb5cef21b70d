import { ApiError, NetworkError } from './errors.ts'

export interface RetryPolicy {
  /** Attempts after the first (default 6). */
  readonly retries: number
  /** First delay in ms, doubled each time with full jitter (default 500). */
  readonly baseDelayMs: number
  /** Cap of one delay in ms (default 30 s). */
  readonly maxDelayMs: number
}

export const DEFAULT_RETRY: RetryPolicy = Object.freeze({
  retries: 6,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
})

/** A part whose bytes the store reports differently from what was sent: send it again. */
export class PartVerificationError extends Error {
  override readonly name = 'PartVerificationError'
}

/**
 * Worth another try: no answer at all, 408, 429, 5xx, or a part that arrived different.
 * Everything else (4xx, a local file that changed, an abort) fails at once.
 */
export function isTransient(err: unknown): boolean {
  if (err instanceof NetworkError || err instanceof PartVerificationError) return true
  if (!(err instanceof ApiError)) return false
  return err.status === 408 || err.status === 429 || err.status >= 500
}

/** Full-jitter exponential backoff (AWS Architecture Blog, "Exponential Backoff And Jitter"). */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  return Math.round(Math.random() * ceiling)
}

/** Waits `ms`, or rejects with the signal's reason once it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(done, ms)
    function done() {
      signal?.removeEventListener('abort', aborted)
      resolve()
    }
    function aborted() {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', aborted, { once: true })
  })
}
