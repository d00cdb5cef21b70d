/** How uploads are cut and how long they may stay open (from the configuration). */
export interface UploadPolicy {
  /** Declared sizes from this up get a multipart session instead of one PUT. */
  readonly multipartThreshold: number
  /** The part size when the client gives no hint. */
  readonly partSize: number
  /** An upload with no activity for this long expires. */
  readonly idleTimeoutMs: number
  /** An upload expires this long after it started, whatever happens. */
  readonly maxAgeMs: number
  /**
   * Confirming an upload from this size up answers 202 and reads the bytes back in the background
   * (upload-verifier.ts). Infinity where confirm never reads them back (the local backend hashes
   * on arrival).
   */
  readonly backgroundVerifyBytes: number
}

const MiB = 1024 * 1024
/** S3's limits, which every backend follows so clients behave the same everywhere. */
export const MIN_PART_SIZE = 5 * MiB
export const MAX_PART_SIZE = 5 * 1024 * MiB
export const MAX_PARTS = 10_000

/**
 * The part size for a file: the hint (or the default) clamped to 5 MiB..5 GiB and raised so the
 * file needs at most 10,000 equal parts; a whole number of MiB.
 */
export function partSizeFor(size: number, hint: number): number {
  const smallestAllowed = Math.ceil(size / MAX_PARTS / MiB) * MiB
  return Math.min(
    MAX_PART_SIZE,
    Math.max(MIN_PART_SIZE, smallestAllowed, Math.ceil(hint / MiB) * MiB),
  )
}

/** The size of part `n` (1-based) of a file. */
export function partLength(size: number, partSize: number, partNumber: number): number {
  return Math.max(0, Math.min(partSize, size - (partNumber - 1) * partSize))
}
