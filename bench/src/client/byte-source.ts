/**
 * The bytes every server receives: one random 1 MiB block made once per run and repeated, so
 * uploads of any size stream from a generator (nothing held in memory) and every peer gets the
 * same bytes. Random content keeps any compression or deduplication from flattering anyone.
 */
import { createHash, randomBytes } from 'node:crypto'

const BLOCK_BYTES = 1024 * 1024
const block = randomBytes(BLOCK_BYTES)
const digests = new Map<number, string>()

export function generatedBytes(size: number): AsyncGenerator<Buffer> {
  return generatedRange(0, size)
}

/**
 * Bytes `[start, start + length)` of the same stream, so the parts of a multipart upload, sent
 * in any order and in parallel, join into exactly generatedBytes(size).
 */
export async function* generatedRange(start: number, length: number): AsyncGenerator<Buffer> {
  let offset = start % BLOCK_BYTES
  let left = length
  while (left > 0) {
    const take = Math.min(left, BLOCK_BYTES - offset)
    yield take === BLOCK_BYTES ? block : block.subarray(offset, offset + take)
    left -= take
    offset = 0
  }
}

/** SHA-256 of generatedBytes(size), computed once per size (about 5 s per GiB here). */
export function expectedSha256(size: number): string {
  const known = digests.get(size)
  if (known) return known
  const hash = createHash('sha256')
  for (let left = size; left > 0; left -= BLOCK_BYTES) {
    hash.update(left >= BLOCK_BYTES ? block : block.subarray(0, left))
  }
  const digest = hash.digest('hex')
  digests.set(size, digest)
  return digest
}

const rangeDigests = new Map<string, string>()

/** SHA-256 of generatedRange(start, length), computed once per distinct range content. */
export function expectedRangeSha256(start: number, length: number): string {
  const key = `${start % BLOCK_BYTES}:${length}`
  const known = rangeDigests.get(key)
  if (known) return known
  const hash = createHash('sha256')
  let offset = start % BLOCK_BYTES
  for (let left = length; left > 0; ) {
    const take = Math.min(left, BLOCK_BYTES - offset)
    hash.update(block.subarray(offset, offset + take))
    left -= take
    offset = 0
  }
  const digest = hash.digest('hex')
  rangeDigests.set(key, digest)
  return digest
}
