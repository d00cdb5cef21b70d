import type { BgzfBlock, VirtualPosition } from './bgzf-blocks.ts'

/**
 * Reads the uncompressed bytes of a run of BGZF blocks as one stream, across block boundaries,
 * and tells the virtual offset of the next byte (for BAM records, which blocks cut anywhere).
 */
export class BgzfCursor {
  readonly #blocks: AsyncIterator<BgzfBlock>
  #data: Buffer = Buffer.alloc(0)
  #offset = 0
  #pos = 0
  /** The first block's data starts this far into it (the chunk's minv.dataPosition). */
  #base: number
  #started = false

  constructor(blocks: AsyncIterable<BgzfBlock>, firstBase = 0) {
    this.#blocks = blocks[Symbol.asyncIterator]()
    this.#base = firstBase
  }

  /** The virtual offset of the next unread byte, or undefined at the end of the blocks. */
  async position(): Promise<VirtualPosition | undefined> {
    if (!(await this.#fill())) return undefined
    return { blockPosition: this.#offset, dataPosition: this.#base + this.#pos }
  }

  /** The next `n` bytes, or undefined when the blocks end first. */
  async read(n: number): Promise<Buffer | undefined> {
    const pieces: Buffer[] = []
    let missing = n
    while (missing > 0) {
      if (!(await this.#fill())) return undefined
      const take = Math.min(missing, this.#data.length - this.#pos)
      pieces.push(this.#data.subarray(this.#pos, this.#pos + take))
      this.#pos += take
      missing -= take
    }
    return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces)
  }

  /** Stops reading the blocks (and so the store's stream). */
  async close(): Promise<void> {
    await this.#blocks.return?.()
  }

  async #fill(): Promise<boolean> {
    while (this.#pos >= this.#data.length) {
      const next = await this.#blocks.next()
      if (next.done) return false
      if (this.#started) this.#base = 0
      this.#started = true
      this.#data = next.value.data
      this.#offset = next.value.offset
      this.#pos = 0
    }
    return true
  }
}
