/** Writes one batch of chunks (one `writev`); batches arrive in order, one at a time. */
export type BatchWrite = (chunks: Uint8Array[], bytes: number) => Promise<void>

const MiB = 1024 * 1024

/**
 * Collects a body's chunks into batches of about `batchBytes` and writes each batch while the
 * next one fills, so the socket keeps being read during a disk write and each write carries many
 * socket reads. At most one write runs and one batch waits: memory stays under two batches.
 *
 * @example
 * const writer = new WriteBehind((chunks, bytes) => handle.writev(chunks, at(bytes)))
 * await response.each((chunk) => writer.push(chunk))
 * await writer.finish()
 */
export class WriteBehind {
  readonly #write: BatchWrite
  readonly #batchBytes: number
  #batch: Uint8Array[] = []
  #batched = 0
  #writing: Promise<void> | undefined
  #waiting: Promise<void> | undefined
  #failure: { error: unknown } | undefined

  constructor(write: BatchWrite, batchBytes = MiB) {
    this.#write = write
    this.#batchBytes = batchBytes
  }

  /**
   * Queues `chunk`. Answers a promise when the reader should wait for it (a full batch waits on
   * the write before it), else undefined: keep reading.
   */
  push(chunk: Uint8Array): Promise<void> | undefined {
    if (this.#failure) return Promise.reject(this.#failure.error)
    this.#batch.push(chunk)
    this.#batched += chunk.byteLength
    if (this.#batched < this.#batchBytes) return undefined
    if (!this.#writing) {
      this.#start()
      return undefined
    }
    this.#waiting ??= this.#writing.then(() => {
      this.#waiting = undefined
      this.#start()
    })
    return this.#waiting
  }

  /** Writes what is left and waits for every write; a failed write rejects here or in push. */
  async finish(): Promise<void> {
    await this.#waiting
    await this.#writing
    if (this.#batched > 0) this.#start()
    await this.#writing
  }

  #start(): void {
    if (this.#batched === 0) return
    const chunks = this.#batch
    const bytes = this.#batched
    this.#batch = []
    this.#batched = 0
    const writing: Promise<void> = this.#write(chunks, bytes).then(
      () => {
        if (this.#writing === writing) this.#writing = undefined
      },
      (error: unknown) => {
        this.#failure ??= { error }
        throw error
      },
    )
    // A failure is raised to whoever waits next (push or finish), never left unhandled.
    writing.catch(() => {})
    this.#writing = writing
  }
}
