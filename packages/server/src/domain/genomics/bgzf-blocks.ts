import { inflateRawSync } from 'node:zlib'
import { AppError } from '../errors.ts'

/** One BGZF block: where it starts in the compressed file, and its uncompressed bytes. */
export interface BgzfBlock {
  readonly offset: number
  readonly data: Buffer
}

/** A BGZF virtual offset (SAM spec 4.1.1): the block's file offset and a position inside it. */
export interface VirtualPosition {
  readonly blockPosition: number
  readonly dataPosition: number
}

export function compareVirtual(a: VirtualPosition, b: VirtualPosition): number {
  return a.blockPosition - b.blockPosition || a.dataPosition - b.dataPosition
}

const HEADER = 18 // gzip header with the BGZF 'BC' extra field (SAM spec 4.1)

/**
 * Cuts a stream of compressed bytes starting on a block boundary at `offset` into BGZF blocks
 * and inflates each (at most 64 KiB, so synchronously). Only one block's bytes are held.
 */
export async function* bgzfBlocks(
  compressed: AsyncIterable<Buffer>,
  offset: number,
): AsyncGenerator<BgzfBlock> {
  let pending: Buffer = Buffer.alloc(0)
  let at = offset
  for await (const chunk of compressed) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk
    let size = blockSize(pending, at)
    while (size !== undefined && pending.length >= size) {
      yield { offset: at, data: inflateBlock(pending.subarray(0, size), at) }
      pending = pending.subarray(size)
      at += size
      size = blockSize(pending, at)
    }
  }
  if (pending.length > 0) throw notBgzf(at)
}

/** The block's total size (BSIZE + 1), or undefined while its header is incomplete. */
function blockSize(bytes: Buffer, at: number): number | undefined {
  if (bytes.length < HEADER) return undefined
  const isBgzf = bytes[0] === 31 && bytes[1] === 139 && bytes[3] === 4 && bytes[12] === 66
  if (!isBgzf || bytes[13] !== 67) throw notBgzf(at)
  return bytes.readUInt16LE(16) + 1
}

function inflateBlock(block: Buffer, at: number): Buffer {
  const xlen = block.readUInt16LE(10)
  try {
    return inflateRawSync(block.subarray(12 + xlen, block.length - 8))
  } catch (cause) {
    throw notBgzf(at, cause)
  }
}

function notBgzf(at: number, cause?: unknown): AppError {
  return new AppError(
    'unsupported_format',
    `The file is not BGZF-compressed (bad block at byte ${at}); compress it with bgzip and index it with tabix, or with samtools for BAM.`,
    { cause },
  )
}
