import { CraiIndex, CramFile, type CramRecord, IndexedCramFile } from '@gmod/cram'
import { IndexedFasta } from '@gmod/indexedfasta'
import { AppError } from '../errors.ts'
import { BlobFilehandle, type BlobSource } from './blob-filehandle.ts'
import type { GenomicFile, GenomicRecord } from './genomic-file.ts'
import type { Region } from './regions.ts'
import { type SamRecord, samText } from './sam-record.ts'
import type { Contig } from './vcf-header.ts'

export interface CramFileSources {
  readonly data: BlobSource
  readonly index: BlobSource | undefined
  /** The reference FASTA and its .fai (CRAM stores reads as differences from it). */
  readonly reference: { readonly fasta: BlobSource; readonly fai: BlobSource } | undefined
}

/**
 * A CRAM through @gmod/cram (its .crai and containers) with the reference read from the
 * workspace's indexed FASTA through @gmod/indexedfasta; records as samtools view prints them.
 */
export async function openCramFile(sources: CramFileSources): Promise<GenomicFile> {
  const { reference, index } = sources
  const fasta =
    reference &&
    new IndexedFasta({
      fasta: new BlobFilehandle(reference.fasta),
      fai: new BlobFilehandle(reference.fai),
    })
  let names: string[] = []
  const seqFetch = async (seqId: number, start: number, end: number) =>
    (await fasta?.getSequence(names[seqId] ?? '', start - 1, end)) ?? ''
  const cram = new CramFile({
    filehandle: new BlobFilehandle(sources.data),
    seqFetch,
    checkSequenceMD5: false,
  })
  const text = await headerText(cram)
  const contigs = contigsOf(text)
  names = contigs.map((contig) => contig.name)
  const indexed =
    index &&
    new IndexedCramFile({ cram, index: new CraiIndex({ filehandle: new BlobFilehandle(index) }) })
  return {
    format: 'cram',
    contigs,
    samples: [...new Set([...text.matchAll(/^@RG\t.*?\tSM:([^\t\n]+)/gm)].map((m) => m[1] ?? ''))],
    mergesRegions: false,
    headerText: async () => text,
    records: (region) =>
      indexed
        ? cramRecords(indexed, { names, readGroups: readGroupsOf(text), seqFetch }, contigs, region)
        : none(),
  }
}

async function* none() {}

async function headerText(cram: CramFile): Promise<string> {
  try {
    return (await cram.getHeaderText()) ?? ''
  } catch (cause) {
    throw new AppError(
      'unsupported_format',
      'The file is not a CRAM file (bad or truncated header).',
      {
        cause,
        details: { format: 'cram' },
      },
    )
  }
}

function contigsOf(text: string): Contig[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('@SQ\t'))
    .map((line) => ({
      name: /\tSN:([^\t]+)/.exec(line)?.[1] ?? '',
      length: Number(/\tLN:(\d+)/.exec(line)?.[1] ?? Number.NaN) || null,
    }))
}

/** The @RG IDs in header order: CRAM stores a record's read group as an index into them. */
function readGroupsOf(text: string): string[] {
  return [...text.matchAll(/^@RG\t(?:.*?\t)?ID:([^\t\n]+)/gm)].map((match) => match[1] ?? '')
}

interface Names {
  readonly names: readonly string[]
  readonly readGroups: readonly string[]
  /** The reference's bases, 1-based closed (as @gmod/cram asks). */
  readonly seqFetch: (seqId: number, start: number, end: number) => Promise<string>
}

async function* cramRecords(
  indexed: IndexedCramFile,
  refs: Names,
  contigs: readonly Contig[],
  region: Region,
) {
  const { names } = refs
  const refId = names.indexOf(region.contig)
  const end = Math.min(region.end ?? Number.MAX_SAFE_INTEGER, contigs[refId]?.length ?? 2 ** 29)
  if (region.start >= end) return
  // @gmod/cram decodes a slice at a time (a slice is ~10,000 records); 1-based closed here.
  const records = await indexed.getRecordsForRange(refId, region.start + 1, end)
  const first = Math.min(...records.map((r) => r.alignmentStart))
  const last = Math.max(...records.map((r) => r.alignmentStart + (r.lengthOnRef ?? 1)))
  const span = records.length
    ? { start: first, bases: await refs.seqFetch(refId, first, last) }
    : undefined
  let at = 0
  for (const record of records) {
    const pos = record.alignmentStart - 1
    const recordEnd = pos + Math.max(record.lengthOnRef ?? 0, 1)
    if (record.sequenceId !== refId || pos >= end || recordEnd <= region.start) continue
    at += 1
    yield { at: { blockPosition: 0, dataPosition: at }, value: cramRecord(record, refs, span) }
  }
}

function cramRecord(record: CramRecord, refs: Names, span: RefSpan | undefined): GenomicRecord {
  const decoded = () => toSam(record, refs, span)
  return {
    text: () => Buffer.from(samText(decoded()), 'utf8'),
    json: () => {
      const sam = decoded()
      return { ...sam, tags: Object.fromEntries(sam.tags.map((tag) => [tag.tag, tag.value])) }
    },
  }
}

interface RefSpan {
  /** 1-based position of bases[0]. */
  readonly start: number
  readonly bases: string
}

function toSam(
  record: CramRecord,
  { names, readGroups }: Names,
  span: RefSpan | undefined,
): SamRecord {
  const refName = (id: number) => (id < 0 ? '*' : (names[id] ?? '*'))
  const mate = record.mate
  const mateChrom =
    !mate || mate.sequenceId < 0
      ? '*'
      : mate.sequenceId === record.sequenceId
        ? '='
        : refName(mate.sequenceId)
  const quals = record.qualityScores
  const cigar = record.isSegmentUnmapped() ? '*' : cigarOf(record)
  const seq = record.getReadBases() ?? '*'
  const md =
    span && cigar !== '*' && seq !== '*' ? mdAndNm(record.alignmentStart, cigar, seq, span) : []
  return {
    name: record.readName ?? '*',
    flag: record.flags,
    chrom: refName(record.sequenceId),
    pos: record.alignmentStart,
    mapq: record.mappingQuality ?? 255,
    cigar,
    mate: { chrom: mateChrom, pos: mate ? mate.alignmentStart : 0 },
    tlen: record.templateLength ?? record.templateSize ?? 0,
    seq,
    qual: quals && quals.length > 0 ? String.fromCharCode(...[...quals].map((q) => q + 33)) : '*',
    tags: [...md, ...tagsOf(record, readGroups)],
  }
}

/**
 * MD and NM as htslib regenerates them when decoding CRAM (bam_fillmd1): a base matches when it
 * equals the reference's, ignoring case, and neither is N.
 */
function mdAndNm(pos: number, cigar: string, seq: string, span: RefSpan): SamRecord['tags'] {
  let md = ''
  let run = 0
  let nm = 0
  let x = 0
  let y = pos - span.start
  for (const [, count, op] of cigar.matchAll(/(\d+)([MIDNSHP=X])/g)) {
    const n = Number(count)
    if (op === 'M' || op === '=' || op === 'X') {
      for (let j = 0; j < n; j++, x++, y++) {
        const read = seq[x]?.toUpperCase() ?? 'N'
        const ref = span.bases[y]?.toUpperCase() ?? 'N'
        if (read === ref && read !== 'N') run++
        else {
          md += `${run}${ref}`
          run = 0
          nm++
        }
      }
    } else if (op === 'I') {
      x += n
      nm += n
    } else if (op === 'D') {
      md += `${run}^${span.bases.slice(y, y + n).toUpperCase()}`
      run = 0
      y += n
      nm += n
    } else if (op === 'S') x += n
    else if (op === 'N') y += n
  }
  md += String(run)
  return [
    { tag: 'MD', type: 'Z', value: md, text: `Z:${md}` },
    { tag: 'NM', type: 'i', value: nm, text: `i:${nm}` },
  ]
}

/** The CIGAR a record's read features describe (CRAM 3.1, 10.6: features by read position). */
function cigarOf(record: CramRecord): string {
  const ops: Array<[number, string]> = []
  const push = (length: number, op: string) => {
    const last = ops.at(-1)
    if (last && last[1] === op) last[0] += length
    else if (length > 0) ops.push([length, op])
  }
  let readPos = 1
  for (const feature of record.readFeatures ?? []) {
    push(feature.pos - readPos, 'M')
    readPos = Math.max(readPos, feature.pos)
    const consumed = featureOp(feature)
    if (consumed) {
      push(consumed.length, consumed.op)
      readPos += consumed.readBases
    }
  }
  push(record.readLength - readPos + 1, 'M')
  return ops.length ? ops.map(([n, op]) => `${n}${op}`).join('') : '*'
}

type Feature = NonNullable<CramRecord['readFeatures']>[number]

function featureOp(
  feature: Feature,
): { length: number; op: string; readBases: number } | undefined {
  switch (feature.code) {
    case 'S':
    case 'I':
      return { length: feature.data.length, op: feature.code, readBases: feature.data.length }
    case 'i':
      return { length: 1, op: 'I', readBases: 1 }
    case 'b':
      return { length: feature.data.length, op: 'M', readBases: feature.data.length }
    case 'X':
    case 'B':
      return { length: 1, op: 'M', readBases: 1 }
    case 'D':
    case 'N':
    case 'H':
    case 'P':
      return { length: feature.data, op: feature.code, readBases: 0 }
    default:
      return undefined
  }
}

/** The stored tags, then RG from the read group index (htslib's cram_decode adds it so). */
function tagsOf(record: CramRecord, readGroups: readonly string[]): SamRecord['tags'] {
  const tags = Object.entries(record.tags).map(([tag, value]) => tagOf(tag, value))
  const group = readGroups[record.readGroupId]
  if (group !== undefined && !('RG' in record.tags)) tags.push(tagOf('RG', group))
  return tags
}

function tagOf(tag: string, value: unknown): SamRecord['tags'][number] {
  if (typeof value === 'number') {
    const type = Number.isInteger(value) ? 'i' : 'f'
    return { tag, type, value, text: `${type}:${value}` }
  }
  if (Array.isArray(value)) {
    const numbers = value.map(Number)
    return { tag, type: 'B', value: numbers, text: `B:i,${numbers.join(',')}` }
  }
  const text = String(value)
  return { tag, type: 'Z', value: text, text: `Z:${text}` }
}
