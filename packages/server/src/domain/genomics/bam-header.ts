import { AppError } from '../errors.ts'
import type { BgzfCursor } from './bgzf-cursor.ts'
import type { Contig } from './vcf-header.ts'

/** A BAM's header: its SAM text and the reference sequences records point at by index. */
export interface BamHeader {
  readonly text: string
  readonly refs: readonly Contig[]
}

const MAGIC = 0x014d4142 // "BAM\1", SAM spec 4.2

/** Reads the header at the start of a BAM (SAM spec 4.2: magic, l_text, text, n_ref, refs). */
export async function readBamHeader(cursor: BgzfCursor): Promise<BamHeader> {
  const magic = await int32(cursor)
  if (magic !== MAGIC) throw notBam()
  const text = (await bytes(cursor, await int32(cursor))).toString('utf8').replace(/\0+$/, '')
  const count = await int32(cursor)
  const refs: Contig[] = []
  for (let i = 0; i < count; i++) {
    const name = (await bytes(cursor, await int32(cursor))).toString('utf8').replace(/\0$/, '')
    refs.push({ name, length: await int32(cursor) })
  }
  return { text, refs }
}

async function int32(cursor: BgzfCursor): Promise<number> {
  return (await bytes(cursor, 4)).readInt32LE(0)
}

async function bytes(cursor: BgzfCursor, n: number): Promise<Buffer> {
  if (n < 0) throw notBam()
  const read = await cursor.read(n)
  if (!read) throw notBam()
  return read
}

function notBam(): AppError {
  return new AppError(
    'unsupported_format',
    'The file is not a BAM file (bad or truncated header).',
    {
      details: { format: 'bam' },
    },
  )
}
