/** Counts the bytes one query pulls from the blob store, so they can be logged and tested. */
export class ReadMeter {
  #bytes = 0
  #reads = 0

  add(bytes: number): void {
    this.#bytes += bytes
  }

  countRead(): void {
    this.#reads += 1
  }

  get bytes(): number {
    return this.#bytes
  }

  get reads(): number {
    return this.#reads
  }
}
