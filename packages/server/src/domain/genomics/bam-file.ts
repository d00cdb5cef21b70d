import { BAI, CSI } from '@gmod/bam'
import { type BamHeader, readBamHeader } from './bam-header.ts'
import { compareVirtual } from './bgzf-blocks.ts'
import { blocksFrom, chunkBlocks, type IndexChunk, type Located } from './bgzf-chunks.ts'
import { BgzfCursor } from './bgzf-cursor.ts'
import { BlobFilehandle, type BlobSource } from './blob-filehandle.ts'
import type { GenomicFile, GenomicRecord } from './genomic-file.ts'
import type { IndexCache } from './index-cache.ts'
import type { Region } from './regions.ts'
import { decodeSam, samFields, samText } from './sam-record.ts'

export interface BamFileSources {
  readonly data: BlobSource
  readonly index: BlobSource | undefined
  readonly csi: boolean
  readonly cache: IndexCache
}

type BamIndex = BAI | CSI

/** Parsed indexes take a few times their compressed size in memory (bins, chunk objects). */
const INDEX_MEMORY_FACTOR = 4

export async function openBamFile(
  sources: BamFileSources,
  signal?: AbortSignal,
): Promise<GenomicFile> {
  const index = sources.index ? await cachedIndex(sources, sources.index) : undefined
  const header = await cachedHeader(sources, signal)
  const names = header.refs.map((ref) => ref.name)
  const lengths = header.refs.map((ref) => ref.length ?? 2 ** 29)
  return {
    format: 'bam',
    contigs: header.refs,
    samples: samplesOf(header.text),
    mergesRegions: false,
    headerText: async () => header.text,
    records: (region, recordSignal) =>
      index ? bamRecords(sources.data, index, { names, lengths }, region, recordSignal) : empty(),
  }
}

async function* empty(): AsyncGenerator<Located<GenomicRecord>> {}

function cachedIndex(sources: BamFileSources, index: BlobSource): Promise<BamIndex> {
  const load = async () => {
    const filehandle = new BlobFilehandle(index)
    const parsed = sources.csi ? new CSI({ filehandle }) : new BAI({ filehandle })
    await parsed.parse()
    return parsed
  }
  return sources.cache.get(
    `bam-index:${index.blobName}`,
    load,
    () => index.size * INDEX_MEMORY_FACTOR,
  )
}

function cachedHeader(sources: BamFileSources, signal?: AbortSignal): Promise<BamHeader> {
  const load = async () => {
    const cursor = new BgzfCursor(blocksFrom(sources.data, 0, signal))
    try {
      return await readBamHeader(cursor)
    } finally {
      await cursor.close()
    }
  }
  const bytesOf = (header: BamHeader) => header.text.length * 2 + header.refs.length * 64
  return sources.cache.get(`bam-header:${sources.data.blobName}`, load, bytesOf)
}

/** The @RG lines' SM values, each once, in order. */
function samplesOf(text: string): string[] {
  const samples = text
    .split('\n')
    .filter((line) => line.startsWith('@RG\t'))
    .map((line) => /\tSM:([^\t]+)/.exec(line)?.[1])
    .filter((sample): sample is string => sample !== undefined)
  return [...new Set(samples)]
}

/**
 * The records overlapping `region`, as htslib's iterator finds them (hts_itr_next with
 * bam_readrec): the index's chunks only, stopping at a record of another reference or starting
 * past the region; a record counts from pos to bam_endpos (pos + 1 when unmapped or no CIGAR).
 */
async function* bamRecords(
  source: BlobSource,
  index: BamIndex,
  refs: { names: readonly string[]; lengths: readonly number[] },
  region: Region,
  signal?: AbortSignal,
): AsyncGenerator<Located<GenomicRecord>> {
  const { names } = refs
  const refId = names.indexOf(region.contig)
  const end = region.end ?? Number.MAX_SAFE_INTEGER
  // Bins are asked up to the reference's end: a CSI's binning scheme refuses ranges beyond it.
  const binEnd = Math.min(end, refs.lengths[refId] ?? 0)
  if (region.start >= binEnd) return
  const chunks = await index.blocksForRange(refId, region.start, binEnd, signal ? { signal } : {})
  for (const chunk of chunks) {
    for await (const record of chunkRecords(source, chunk, signal)) {
      const fields = samFields(record.value)
      if (fields.refId !== refId || fields.pos >= end) return
      if (fields.end > region.start) yield { at: record.at, value: samRecord(record.value, names) }
    }
  }
}

/** The raw records (block_size first) starting in [minv, maxv). */
async function* chunkRecords(
  source: BlobSource,
  chunk: IndexChunk,
  signal?: AbortSignal,
): AsyncGenerator<Located<Buffer>> {
  const cursor = new BgzfCursor(chunkBlocks(source, chunk, signal), chunk.minv.dataPosition)
  try {
    for (;;) {
      const at = await cursor.position()
      if (!at || compareVirtual(at, chunk.maxv) >= 0) return
      const size = await cursor.read(4)
      const body = size && (await cursor.read(size.readInt32LE(0)))
      if (!size || !body) return
      yield { at, value: Buffer.concat([size, body]) }
    }
  } finally {
    await cursor.close()
  }
}

function samRecord(bytes: Buffer, names: readonly string[]): GenomicRecord {
  const decoded = () => decodeSam(bytes, names)
  return {
    text: () => Buffer.from(samText(decoded()), 'utf8'),
    json: () => {
      const record = decoded()
      return { ...record, tags: Object.fromEntries(record.tags.map((tag) => [tag.tag, tag.value])) }
    },
  }
}
