import { compareVirtual, type VirtualPosition } from './bgzf-blocks.ts'
import type { GenomicFile, GenomicRecord } from './genomic-file.ts'
import type { ReadMeter } from './read-meter.ts'
import type { Region } from './regions.ts'

export interface QueryOutput {
  readonly contentType: string
  /** The answer's bytes, produced as the consumer reads them. */
  readonly body: AsyncIterable<Buffer>
  /** Bytes read from the store so far, for the log line at the end. */
  readonly meter: ReadMeter
}

export interface QueryPlan {
  readonly regions: readonly Region[]
  readonly limit: number | undefined
  readonly format: 'text' | 'json'
  readonly header: boolean
  readonly meter: ReadMeter
  readonly signal?: AbortSignal
}

const BATCH_BYTES = 64 * 1024

export function queryRecords(file: GenomicFile, plan: QueryPlan): QueryOutput {
  const json = plan.format === 'json'
  return {
    contentType: json ? 'application/x-ndjson; charset=utf-8' : 'text/plain; charset=utf-8',
    body: batched(answer(file, plan)),
    meter: plan.meter,
  }
}

async function* answer(file: GenomicFile, plan: QueryPlan): AsyncGenerator<Buffer> {
  const json = plan.format === 'json'
  if (plan.header) {
    const text = await file.headerText(plan.signal)
    yield json ? jsonLine({ header: text, samples: file.samples }) : Buffer.from(text)
  }
  let left = plan.limit ?? Number.POSITIVE_INFINITY
  for await (const record of selected(file, plan)) {
    if (left-- <= 0) return
    yield json ? jsonLine(record.json()) : Buffer.concat([record.text(), NEWLINE])
  }
}

const NEWLINE = Buffer.from('\n')

function jsonLine(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value)}\n`)
}

/**
 * The records of every region. bcftools sorts and merges the regions of each contig and prints
 * each record once; samtools and tabix print region by region, as asked, repeats included.
 */
async function* selected(file: GenomicFile, plan: QueryPlan): AsyncGenerator<GenomicRecord> {
  if (!file.mergesRegions) {
    for (const region of plan.regions) {
      for await (const record of file.records(region, plan.signal)) yield record.value
    }
    return
  }
  let last: { contig: string; at: VirtualPosition } | undefined
  for (const region of mergeRegions(plan.regions)) {
    for await (const record of file.records(region, plan.signal)) {
      // A record overlapping two merged regions is met again in the second: once is enough.
      if (last?.contig === region.contig && compareVirtual(record.at, last.at) <= 0) continue
      last = { contig: region.contig, at: record.at }
      yield record.value
    }
  }
}

/**
 * bcftools' order: contigs as first named, regions sorted by start within each, overlapping or
 * touching ones joined.
 */
export function mergeRegions(regions: readonly Region[]): Region[] {
  const order = new Map<string, number>()
  for (const region of regions) if (!order.has(region.contig)) order.set(region.contig, order.size)
  const sorted = [...regions].sort(
    (a, b) => (order.get(a.contig) ?? 0) - (order.get(b.contig) ?? 0) || a.start - b.start,
  )
  const merged: Region[] = []
  for (const region of sorted) {
    const previous = merged.at(-1)
    if (previous && previous.contig === region.contig && reaches(previous, region.start)) {
      merged[merged.length - 1] = { ...previous, end: wider(previous.end, region.end) }
    } else {
      merged.push(region)
    }
  }
  return merged
}

function reaches(region: Region, start: number): boolean {
  return region.end === undefined || region.end >= start
}

function wider(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : Math.max(a, b)
}

/** Joins small pieces into writes of about 64 KiB: one write per record would be slow. */
async function* batched(pieces: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let batch: Buffer[] = []
  let size = 0
  for await (const piece of pieces) {
    batch.push(piece)
    size += piece.length
    if (size >= BATCH_BYTES) {
      yield Buffer.concat(batch)
      batch = []
      size = 0
    }
  }
  if (size > 0) yield Buffer.concat(batch)
}
