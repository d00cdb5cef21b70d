import VcfParser from '@gmod/vcf'
import type { BlobSource } from './blob-filehandle.ts'
import type { GenomicFile, GenomicRecord } from './genomic-file.ts'
import type { IndexCache } from './index-cache.ts'
import type { Region } from './regions.ts'
import {
  type ParsedTabixIndex,
  parseTabixIndex,
  tabixHeaderLines,
  tabixLines,
} from './tabix-reader.ts'
import { type Contig, mergeContigs, vcfContigs, vcfSamples } from './vcf-header.ts'

/** A bgzipped VCF or other tabix-indexed text, its index and header cached by blob name. */
export interface TabixFileSources {
  readonly data: BlobSource
  readonly index: BlobSource | undefined
  readonly csi: boolean
  readonly vcf: boolean
  readonly cache: IndexCache
}

/** Parsed indexes take a few times their compressed size in memory (bins, chunk objects). */
const INDEX_MEMORY_FACTOR = 4

export async function openTabixFile(
  sources: TabixFileSources,
  signal?: AbortSignal,
): Promise<GenomicFile> {
  const parsed = sources.index ? await cachedIndex(sources, sources.index) : undefined
  const header = await cachedHeader(sources, parsed, signal)
  const declared = sources.vcf ? vcfContigs(header) : []
  const contigs = mergeContigs(declared, parsed?.meta.refIdToName ?? [])
  const samples = sources.vcf ? vcfSamples(header) : []
  let parser: VcfParser | undefined
  const vcfParser = () => {
    parser ??= new VcfParser({ header })
    return parser
  }
  return {
    format: sources.vcf ? 'vcf' : 'tabix',
    contigs,
    samples,
    mergesRegions: sources.vcf,
    headerText: async () => header,
    records: (region, recordSignal) =>
      recordsOf(sources, parsed, region, sources.vcf ? vcfParser : undefined, recordSignal),
  }
}

function cachedIndex(sources: TabixFileSources, index: BlobSource): Promise<ParsedTabixIndex> {
  return sources.cache.get(
    `tabix:${index.blobName}`,
    () => parseTabixIndex(index, sources.csi),
    () => index.size * INDEX_MEMORY_FACTOR,
  )
}

/** Headers are read once per blob: a VCF's may carry thousands of contig lines. */
function cachedHeader(
  sources: TabixFileSources,
  parsed: ParsedTabixIndex | undefined,
  signal?: AbortSignal,
): Promise<string> {
  const meta = parsed?.meta ?? { metaChar: '#', skipLines: 0 }
  const load = async () => {
    const lines: Buffer[] = []
    for await (const line of tabixHeaderLines(sources.data, meta, signal)) lines.push(line, NEWLINE)
    return Buffer.concat(lines).toString('utf8')
  }
  return sources.cache.get(`header:${sources.data.blobName}`, load, (text) => text.length * 2)
}

const NEWLINE = Buffer.from('\n')

async function* recordsOf(
  sources: TabixFileSources,
  parsed: ParsedTabixIndex | undefined,
  region: Region,
  parser: (() => VcfParser) | undefined,
  signal?: AbortSignal,
) {
  if (!parsed) return
  for await (const line of tabixLines(sources.data, parsed, region, signal)) {
    yield { at: line.at, value: parser ? vcfRecord(line.value, parser) : textRecord(line.value) }
  }
}

function textRecord(line: Buffer): GenomicRecord {
  return {
    text: () => line,
    json: () => ({ fields: line.toString('utf8').split('\t') }),
  }
}

/** VCF as NDJSON: the fixed columns, INFO and per-sample FORMAT values by name (@gmod/vcf). */
function vcfRecord(line: Buffer, parser: () => VcfParser): GenomicRecord {
  return {
    text: () => line,
    json: () => {
      const variant = parser().parseLine(line.toString('utf8'))
      return {
        chrom: variant.CHROM,
        pos: variant.POS,
        id: variant.ID ?? null,
        ref: variant.REF,
        alt: variant.ALT ?? [],
        qual: variant.QUAL ?? null,
        filter: variant.FILTER ?? null,
        info: variant.INFO,
        samples: variant.SAMPLES(),
      }
    },
  }
}

export type { Contig }
