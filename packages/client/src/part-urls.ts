import type { PartUrl } from './upload-sessions.ts'

export interface PartUrlsOptions {
  /** Signs these part numbers (one POST /v1/files/uploads/{id}/parts). */
  sign(partNumbers: number[]): Promise<PartUrl[]>
  /** The parts to be sent next, in order: signed along with the one asked for. */
  upcoming(): readonly number[]
  /** Part numbers per signing call (at most 1000). */
  batchSize: number
  now?: () => number
}

interface Entry {
  part: PartUrl
  signedAt: number
}

/**
 * Part URLs signed on demand in batches and signed again before they expire, so an upload never
 * depends on one URL's lifetime. Concurrent workers asking for the same part share one call.
 */
export class PartUrls {
  readonly #options: PartUrlsOptions
  readonly #now: () => number
  readonly #cache = new Map<number, Entry>()
  readonly #signing = new Map<number, Promise<void>>()

  constructor(options: PartUrlsOptions) {
    this.#options = options
    this.#now = options.now ?? Date.now
  }

  /** A usable URL for part `n`; `fresh` drops the cached one first (the store refused it). */
  async get(n: number, options: { fresh?: boolean } = {}): Promise<PartUrl> {
    if (options.fresh) this.#cache.delete(n)
    const usable = this.#usable(n)
    if (usable) return usable
    await (this.#signing.get(n) ?? this.#signBatch(n))
    // Just signed: used even if client and server clocks disagree about its expiry.
    const entry = this.#cache.get(n)
    if (!entry) throw new Error(`The server did not sign part ${n}; it answered other parts.`)
    return entry.part
  }

  /** Forgets part `n` once it is stored. */
  done(n: number): void {
    this.#cache.delete(n)
  }

  #usable(n: number): PartUrl | undefined {
    const entry = this.#cache.get(n)
    if (!entry) return undefined
    const expires = Date.parse(entry.part.expires_at)
    // Re-sign when less than a quarter of its life (at most a minute) is left: a PUT that starts
    // just before expiry is refused by S3 and the local backend alike.
    const margin = Math.min(60_000, Math.max(0, expires - entry.signedAt) / 4)
    return expires - this.#now() > margin ? entry.part : undefined
  }

  #signBatch(n: number): Promise<void> {
    const others = this.#options
      .upcoming()
      .filter((m) => m !== n && !this.#signing.has(m) && !this.#usable(m))
    const numbers = [n, ...others].slice(0, this.#options.batchSize)
    const signedAt = this.#now()
    const promise = this.#options
      .sign(numbers)
      .then((parts) => {
        for (const part of parts) this.#cache.set(part.part_number, { part, signedAt })
      })
      .finally(() => {
        for (const m of numbers) this.#signing.delete(m)
      })
    for (const m of numbers) this.#signing.set(m, promise)
    return promise
  }
}
