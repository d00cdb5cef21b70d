/**
 * Parsed indexes and headers, bounded by an estimate of their size in bytes, least recently used
 * out first. Entries are keyed by blob name: blobs are immutable and a replaced file or index is
 * a new blob, so an entry is never stale, only unused (and evicted).
 */
export class IndexCache {
  readonly #maxBytes: number
  readonly #entries = new Map<string, { readonly value: Promise<unknown>; bytes: number }>()
  #bytes = 0

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes
  }

  /**
   * The value cached under `key`, or what `load` makes (shared by concurrent callers). A failed
   * load is not kept, so the next call tries again.
   */
  get<T>(key: string, load: () => Promise<T>, bytesOf: (value: T) => number): Promise<T> {
    const hit = this.#entries.get(key)
    if (hit) {
      this.#entries.delete(key)
      this.#entries.set(key, hit)
      return hit.value as Promise<T>
    }
    const entry = { value: load(), bytes: 0 }
    this.#entries.set(key, entry)
    entry.value.then(
      (value) => this.#account(key, entry, bytesOf(value as T)),
      () => this.#drop(key),
    )
    return entry.value as Promise<T>
  }

  #account(key: string, entry: { bytes: number }, bytes: number): void {
    if (this.#entries.get(key) !== entry) return
    entry.bytes = bytes
    this.#bytes += bytes
    if (bytes > this.#maxBytes) this.#drop(key)
    else this.#evict()
  }

  /** Estimated bytes held (for tests and metrics). */
  get bytes(): number {
    return this.#bytes
  }

  get size(): number {
    return this.#entries.size
  }

  has(key: string): boolean {
    return this.#entries.has(key)
  }

  #evict(): void {
    for (const key of this.#entries.keys()) {
      if (this.#bytes <= this.#maxBytes) return
      this.#drop(key)
    }
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key)
    if (!entry) return
    this.#entries.delete(key)
    this.#bytes -= entry.bytes
  }
}
