import type { KeyRecord } from '../domain/ports.ts'

export interface KeyCacheOptions {
  /** How long a key read from the database is trusted; 0 reads it on every request. */
  readonly ttlMs: number
  /** Milliseconds on a monotonic clock (tests move it by hand). */
  readonly now?: () => number
  readonly capacity?: number
}

/**
 * The API keys requests were recently authenticated with, by secret hash, each trusted for
 * `ttlMs`: every authenticated request looks its key up, a database round trip (over the network
 * on PostgreSQL) that cost a small request as much as its own query.
 * A revocation made through this store drops every entry before it answers, so this process
 * refuses the key on the next request; another process sharing the database sees it within
 * `ttlMs`. Only found keys are kept (unknown secrets always reach the database), and the caller
 * still checks `revokedAt` and `expiresAt` on each use.
 */
export class KeyCache {
  readonly #ttlMs: number
  readonly #now: () => number
  readonly #capacity: number
  readonly #entries = new Map<string, { key: KeyRecord; until: number }>()
  /** Bumped by forget(): a lookup that began before a revocation must not store what it read. */
  #epoch = 0

  constructor(options: KeyCacheOptions) {
    this.#ttlMs = options.ttlMs
    this.#now = options.now ?? (() => performance.now())
    this.#capacity = options.capacity ?? 10_000
  }

  async find(
    secretHash: string,
    load: (secretHash: string) => Promise<KeyRecord | undefined>,
  ): Promise<KeyRecord | undefined> {
    if (this.#ttlMs <= 0) return load(secretHash)
    const cached = this.#entries.get(secretHash)
    if (cached && cached.until > this.#now()) return cached.key
    const epoch = this.#epoch
    const key = await load(secretHash)
    if (!key || epoch !== this.#epoch) {
      this.#entries.delete(secretHash)
      return key
    }
    if (this.#entries.size >= this.#capacity) this.#entries.clear()
    this.#entries.set(secretHash, { key, until: this.#now() + this.#ttlMs })
    return key
  }

  /** Drops every entry, and whatever lookups in flight read before now. */
  forget(): void {
    this.#epoch += 1
    this.#entries.clear()
  }
}
