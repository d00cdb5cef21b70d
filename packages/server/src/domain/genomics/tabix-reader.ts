import { CSI, TBI } from '@gmod/tabix'
import { blocksFrom, chunkBlocks, chunkLines, type Located } from './bgzf-chunks.ts'
import type { BlobSource } from './blob-filehandle.ts'
import { BlobFilehandle } from './blob-filehandle.ts'
import type { Region } from './regions.ts'

type TabixIndex = TBI | CSI
type TabixMeta = Awaited<ReturnType<TabixIndex['getMetadata']>>

/** A parsed tabix index (TBI or CSI) and what it says about the file's columns. */
export interface ParsedTabixIndex {
  readonly index: TabixIndex
  readonly meta: TabixMeta
}

/** Reads and parses a .tbi or .csi through ranged reads of its blob. */
export async function parseTabixIndex(source: BlobSource, csi: boolean): Promise<ParsedTabixIndex> {
  const filehandle = new BlobFilehandle(source)
  const index = csi ? new CSI({ filehandle }) : new TBI({ filehandle })
  return { index, meta: await index.getMetadata() }
}

/** An interval in 0-based half-open coordinates. */
interface Interval {
  readonly contig: string
  readonly start: number
  readonly end: number
}

/**
 * The data lines of a bgzipped, tabix-indexed file overlapping `region`, in file order, each
 * with its virtual offset. Follows htslib's iterator (hts_itr_next): only the chunks the index
 * names are read, meta lines are skipped, and reading stops at the first line of another contig
 * or starting past the region.
 */
export async function* tabixLines(
  source: BlobSource,
  parsed: ParsedTabixIndex,
  region: Region,
  signal?: AbortSignal,
): AsyncGenerator<Located<Buffer>> {
  const { index, meta } = parsed
  const end = region.end ?? meta.maxRefLength
  const chunks = await index.blocksForRange(region.contig, region.start, end, {
    ...(signal ? { signal } : {}),
  })
  for (const chunk of chunks) {
    for await (const line of chunkLines(chunkBlocks(source, chunk, signal), chunk)) {
      if (isMeta(line.value, meta)) continue
      const interval = intervalOf(line.value, meta)
      if (interval.contig !== region.contig || interval.start >= end) return
      if (interval.end > region.start) yield line
    }
  }
}

/**
 * The header as `tabix -h` prints it: the first `skipLines` lines and every leading line that
 * starts with the meta character, each with its newline.
 */
export async function* tabixHeaderLines(
  source: BlobSource,
  meta: Pick<TabixMeta, 'metaChar' | 'skipLines'>,
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  const all = {
    minv: { blockPosition: 0, dataPosition: 0 },
    maxv: { blockPosition: source.size, dataPosition: 0 },
  }
  let count = 0
  for await (const line of chunkLines(blocksFrom(source, 0, signal), all)) {
    if (count >= (meta.skipLines ?? 0) && !isMeta(line.value, meta)) return
    count += 1
    yield line.value
  }
}

function isMeta(line: Buffer, meta: Pick<TabixMeta, 'metaChar'>): boolean {
  return meta.metaChar !== undefined && line[0] === meta.metaChar.charCodeAt(0)
}

/** htslib's tbx_parse1: the line's contig and interval by the index's column numbers. */
function intervalOf(line: Buffer, meta: TabixMeta): Interval {
  const { ref, start, end } = meta.columnNumbers
  const isVcf = meta.format === 'VCF'
  const fields = leadingFields(line, isVcf ? 8 : Math.max(ref, start, end))
  const contig = fields[ref - 1] ?? ''
  const value = Number.parseInt(fields[start - 1] ?? '', 10)
  const begin = meta.coordinateType === '1-based-closed' ? value - 1 : value
  if (isVcf) return { contig, start: begin, end: vcfEnd(begin, fields) }
  const last = end > 0 ? Number.parseInt(fields[end - 1] ?? '', 10) : begin + 1
  return { contig, start: begin, end: Number.isNaN(last) ? begin + 1 : last }
}

/** A VCF record covers its REF, or up to INFO/END when that is set (htslib tbx.c). */
function vcfEnd(begin: number, fields: readonly string[]): number {
  const byRef = begin + (fields[3]?.length ?? 1)
  const info = fields[7] ?? ''
  const match = /(?:^|;)END=(\d+)/.exec(info)
  const end = match ? Number(match[1]) : Number.NaN
  return end > begin ? end : byRef
}

function leadingFields(line: Buffer, count: number): string[] {
  const fields: string[] = []
  let from = 0
  while (fields.length < count) {
    const tab = line.indexOf(9, from)
    fields.push(line.toString('latin1', from, tab === -1 ? line.length : tab))
    if (tab === -1) break
    from = tab + 1
  }
  return fields
}
