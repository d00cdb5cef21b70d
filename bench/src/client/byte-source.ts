/**
 * The bytes every server receives: one random 1 MiB block made once per run and repeated, so
 * uploads of any size stream from a generator (nothing held in memory) and every peer gets the
 * same bytes. Random content keeps any compression or deduplication from flattering anyone.
 */
import { createHash, randomBytes } from 'node:crypto'

const BLOCK_BYTES = 1024 * 1024
const block = randomBytes(BLOCK_BYTES)
const digests = new Map<number, string>()

export async function* generatedBytes(size: number): AsyncGenerator<Buffer> {
  let left = size
  while (left > 0) {
    const take = Math.min(left, BLOCK_BYTES)
    yield take === BLOCK_BYTES ? block : block.subarray(0, take)
    left -= take
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
