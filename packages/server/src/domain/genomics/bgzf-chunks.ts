import { type BgzfBlock, bgzfBlocks, compareVirtual, type VirtualPosition } from './bgzf-blocks.ts'
import { type BlobSource, readRange } from './blob-filehandle.ts'

/** A span of a BGZF file an index points at: records starting in [minv, maxv). */
export interface IndexChunk {
  readonly minv: VirtualPosition
  readonly maxv: VirtualPosition
}

/** An item (a text line, a BAM record) cut out of the uncompressed stream, with where it starts. */
export interface Located<T> {
  readonly at: VirtualPosition
  readonly value: T
}

/**
 * How far past the block maxv points into a read goes, and the size of every further read. A
 * BGZF block holds at most 64 KiB of text, ~10-25 KiB compressed: reads of 16 KiB finish the
 * last record with at most a few KiB fetched in vain, at one more request now and then.
 */
const STEP = 16 * 1024

/**
 * The blocks of one index chunk, the first cut at minv. The first read ends a step past the
 * block maxv points into; an item that runs further is finished by further reads of a step, so a
 * query fetches what the index says and little more, however long the last record is.
 */
export async function* chunkBlocks(
  source: BlobSource,
  chunk: IndexChunk,
  signal?: AbortSignal,
): AsyncGenerator<BgzfBlock> {
  const start = chunk.minv.blockPosition
  const firstEnd =
    chunk.maxv.dataPosition === 0 ? chunk.maxv.blockPosition + 1 : chunk.maxv.blockPosition + STEP
  let first = true
  for await (const block of bgzfBlocks(sequentialBytes(source, start, firstEnd, signal), start)) {
    const skip = first ? chunk.minv.dataPosition : 0
    first = false
    yield skip ? { offset: block.offset, data: block.data.subarray(skip) } : block
  }
}

/** The blocks from `offset` on, read a step at a time as they are consumed. */
export function blocksFrom(
  source: BlobSource,
  offset: number,
  signal?: AbortSignal,
): AsyncGenerator<BgzfBlock> {
  return bgzfBlocks(sequentialBytes(source, offset, offset + STEP, signal), offset)
}

/**
 * Reads [start, firstEnd) in pieces growing from 64 KiB to 4 MiB (an iterator that stops early,
 * at the region's end, leaves at most one piece unread), then a step at a time to the file's end.
 */
async function* sequentialBytes(
  source: BlobSource,
  start: number,
  firstEnd: number,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  let from = start
  let piece = FIRST_PIECE
  while (from < source.size) {
    const inChunk = from < firstEnd
    const to = Math.min(from + (inChunk ? piece : STEP), inChunk ? firstEnd : source.size)
    yield* readRange(source, { start: from, end: to - 1 }, signal)
    from = to
    piece = Math.min(piece * 2, MAX_PIECE)
  }
}

const FIRST_PIECE = 64 * 1024
const MAX_PIECE = 4 * 1024 * 1024

/**
 * The newline-terminated lines of a chunk that start before maxv (htslib's hts_itr_next), each
 * with its virtual offset. The first block is already cut at minv.
 */
export async function* chunkLines(
  blocks: AsyncIterable<BgzfBlock>,
  chunk: IndexChunk,
): AsyncGenerator<Located<Buffer>> {
  let carry: Buffer[] = []
  let carryAt: VirtualPosition | undefined
  let first = true
  for await (const block of blocks) {
    const base = first ? chunk.minv.dataPosition : 0
    first = false
    let pos = 0
    while (pos < block.data.length) {
      const at = carryAt ?? { blockPosition: block.offset, dataPosition: base + pos }
      if (!carryAt && compareVirtual(at, chunk.maxv) >= 0) return
      const newline = block.data.indexOf(10, pos)
      if (newline === -1) {
        carry.push(block.data.subarray(pos))
        carryAt = at
        break
      }
      const piece = block.data.subarray(pos, newline)
      yield { at, value: carry.length ? Buffer.concat([...carry, piece]) : piece }
      carry = []
      carryAt = undefined
      pos = newline + 1
    }
  }
  if (carryAt) yield { at: carryAt, value: Buffer.concat(carry) }
}
