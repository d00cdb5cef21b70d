import { counted } from './body-stream.ts'
import { type Digest, nodeDigests } from './digest.ts'
import { plainMd5 } from './part-put.ts'
import type { ResolvedSource } from './upload-source.ts'

/** What the server says it holds for a part. */
export interface PartDigests {
  sha256: string | null
  etag: string | null
}

export interface DigestResult {
  /** The whole file's SHA-256, hex. */
  sha256: string
  /** Parts the server holds that differ from the local bytes: to be sent again. */
  mismatched: number[]
}

/**
 * The whole file's SHA-256 in one sequential read, run alongside the parallel part uploads:
 * parts leave out of order, so they cannot feed one hash, and a pass before the upload would
 * add a full read to the wall time. On the way it checks the parts a resumed session already
 * holds (SHA-256 on the local backend, MD5 ETag on S3). Undefined where node:crypto is missing.
 */
export async function sequentialDigest(
  source: ResolvedSource & { size: number },
  layout: { partSize: number; present: ReadonlyMap<number, PartDigests>; signal: AbortSignal },
): Promise<DigestResult | undefined> {
  const whole = (await nodeDigests(['sha256']))?.[0]
  if (!whole) return undefined
  const checker = new PartChecker(layout.partSize, source.size, layout.present)
  for await (const chunk of counted(source.open(), { size: source.size })) {
    layout.signal.throwIfAborted()
    whole.update(chunk)
    await checker.update(chunk)
  }
  return { sha256: whole.digest(), mismatched: checker.mismatched }
}

/** Hashes the byte ranges of the parts to check, as the sequential read passes over them. */
class PartChecker {
  readonly mismatched: number[] = []
  readonly #partSize: number
  readonly #size: number
  readonly #present: ReadonlyMap<number, PartDigests>
  #offset = 0
  #current: { n: number; digest: Digest; expected: string } | undefined

  constructor(partSize: number, size: number, present: ReadonlyMap<number, PartDigests>) {
    this.#partSize = partSize
    this.#size = size
    this.#present = present
  }

  async update(chunk: Uint8Array): Promise<void> {
    let at = 0
    while (at < chunk.byteLength) {
      const n = Math.floor(this.#offset / this.#partSize) + 1
      const end = Math.min(n * this.#partSize, this.#size)
      const take = Math.min(chunk.byteLength - at, end - this.#offset)
      if (this.#present.size > 0) await this.#feed(n, chunk.subarray(at, at + take))
      at += take
      this.#offset += take
      if (this.#offset === end) this.#finish()
    }
  }

  async #feed(n: number, bytes: Uint8Array): Promise<void> {
    if (this.#current?.n !== n) this.#current = await this.#start(n)
    this.#current?.digest.update(bytes)
  }

  async #start(n: number) {
    const stored = this.#present.get(n)
    if (!stored) return undefined
    const md5 = plainMd5(stored.etag)
    const expected = stored.sha256 ?? md5
    if (!expected) return undefined
    const digest = (await nodeDigests([stored.sha256 ? 'sha256' : 'md5']))?.[0]
    return digest && { n, digest, expected }
  }

  #finish(): void {
    const current = this.#current
    if (current && current.digest.digest() !== current.expected) this.mismatched.push(current.n)
    this.#current = undefined
  }
}
