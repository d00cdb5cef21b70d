/**
 * The result as titled tables (header + rows), shared by the console table and the Markdown
 * report so both always show the same numbers.
 */
import type { ConcurrencyResult } from '../parts/concurrency.ts'
import type { ListingResult } from '../parts/listing.ts'
import type { MemoryResult } from '../parts/memory.ts'
import type { MultipartResult } from '../parts/multipart.ts'
import type { BenchResult } from '../run-bench.ts'
import type { Comparison } from '../support/measure.ts'
import { GRANARY } from '../support/peers.ts'
import { GiB, MiB, type Spread } from '../support/stats.ts'
import { fixed, megabytes, range } from './format.ts'
import { checkTargets, type TargetCheck } from './targets.ts'

export interface Section {
  readonly title: string
  readonly header: readonly string[]
  readonly rows: readonly (readonly string[])[]
}

export function sections(result: BenchResult): Section[] {
  const { upload, largeFile, multipart, download, listing, memory, concurrency } = result
  return [
    targetsSection(result),
    upload && transferSection(`Form upload, ${size(upload.sizeBytes)}`, upload),
    largeFile && transferSection(`Large-file flow, ${size(largeFile.sizeBytes)}`, largeFile),
    multipart && transferSection(multipartTitle(multipart), multipart),
    multipart && phasesSection(multipart),
    download && transferSection(`Download, ${size(download.full.sizeBytes)}`, download.full),
    download && rangesSection(result),
    listing && listingSection(listing),
    listing && httpSection(listing),
    memory && memorySection(memory),
    concurrency && concurrencySection(concurrency),
  ].filter((section): section is Section => section !== undefined)
}

function targetsSection(result: BenchResult): Section {
  const unit = (t: TargetCheck) => (t.unit === 'x' || t.unit === 'cpu' ? 'x' : ` ${t.unit}`)
  const rows = checkTargets(result).map((t) => [
    t.target,
    `${t.atLeast ? '>=' : '<='} ${t.threshold}${unit(t)}`,
    `${fixed(t.measured, 2)}${unit(t)}`,
    t.met ? 'met' : 'NOT met',
  ])
  return {
    title: 'Targets (issue 17; ratios are medians of paired rounds)',
    header: ['target', 'wanted', 'measured', ''],
    rows,
  }
}

function multipartTitle(multipart: MultipartResult): string {
  const parts = `${multipart.partCount} x ${size(multipart.partSizeBytes)} parts`
  return `Multipart session, ${size(multipart.sizeBytes)} in ${parts}, ${multipart.parallel} in flight`
}

function phasesSection(multipart: MultipartResult): Section {
  const { open, parts, confirm } = multipart.phases
  const total = open.median + parts.median + confirm.median
  const row = (name: string, value: Spread) => [
    name,
    range(value, 3),
    `${fixed((100 * value.median) / total, 0)}%`,
  ]
  return {
    title: 'Multipart session, where Granary spends the time (client side, measured rounds)',
    header: ['phase', 'seconds', 'share of medians'],
    rows: [
      row('upload-url + sign every part', open),
      row(`PUT the parts, ${multipart.parallel} in flight`, parts),
      row('upload-confirm (join; SHA-256 already computed)', confirm),
    ],
  }
}

function transferSection(title: string, comparison: Comparison): Section {
  const rows = Object.entries(comparison.configs).map(([name, stats]) => [
    name,
    range(stats.mbPerSecond),
    range(stats.cpuSecondsPerGiB),
    megabytes(stats.peakRssBytes),
    fixed(stats.rssBeforeBytes.median / 1e6, 0),
    name === comparison.subject
      ? '1'
      : range(comparison.ratios[`${comparison.subject}/${name}`], 2),
  ])
  const header = ['server', 'MB/s', 'CPU-s/GiB', 'peak RSS MB', 'RSS at rest MB', 'granary / this']
  return { title: `${title}, ${comparison.rounds} rounds: median (min-max)`, header, rows }
}

function rangesSection(result: BenchResult): Section {
  const download = result.download
  if (!download) throw new Error('no download result')
  const reads = download.ranges.sizeBytes / MiB
  const rows = Object.entries(download.ranges.configs).map(([name, stats]) => [
    name,
    range(stats.mbPerSecond),
    range(download.rangeLatencyMs[name]?.p50, 2),
    range(download.rangeLatencyMs[name]?.p99, 2),
    name === GRANARY ? '1' : range(download.ranges.ratios[`granary/${name}`], 2),
  ])
  const header = ['server', 'MB/s', 'p50 ms', 'p99 ms', 'granary / this']
  return { title: `Download, ${reads} sequential 1 MiB Range reads`, header, rows }
}

function listingSection(listing: ListingResult): Section {
  const { storePage, prefixPage, folderView, cursorWalk } = listing.inProcess
  const row = (name: string, l: typeof storePage) => [
    name,
    String(l.calls),
    fixed(l.p50Ms, 3),
    fixed(l.p99Ms, 3),
    fixed(l.maxMs, 2),
  ]
  return {
    title: `Listing in process, ${listing.files.toLocaleString('en')} files (seeded in ${fixed(listing.seedSeconds)} s)`,
    header: ['call', 'calls', 'p50 ms', 'p99 ms', 'max ms'],
    rows: [
      row('store.listFiles, 100 rows by prefix', storePage),
      row('listFiles page of a leaf folder', prefixPage),
      row('folder view (delimiter=/), 100 folders', folderView),
      row(`cursor walk, every page (${fixed(cursorWalk.rowsPerSecond, 0)} rows/s)`, cursorWalk),
    ],
  }
}

function httpSection(listing: ListingResult): Section {
  const { routes, ratios, connections } = listing.http
  const rows = Object.entries(routes).map(([name, route]) => [
    name,
    route.path.length > 60 ? `${route.path.slice(0, 57)}...` : route.path,
    range(route.requestsPerSecond, 0),
    range(route.p99Ms, 0),
    name === 'healthz' ? '1' : range(ratios[`${name}/healthz`], 2),
    range(ratios[`${name}/baseline`], 2),
  ])
  const header = ['route', 'path', 'req/s', 'p99 ms', 'vs /healthz', 'vs baseline']
  return { title: `Listing over HTTP (autocannon, ${connections} connections)`, header, rows }
}

function memorySection(memory: MemoryResult): Section {
  const rows = memory.rows.map((row) => [
    size(row.sizeBytes),
    fixed(row.upload.rssBeforeBytes / 1e6, 0),
    fixed(row.upload.peakRssBytes / 1e6, 0),
    fixed(row.upload.mbPerSecond),
    fixed(row.download.peakRssBytes / 1e6, 0),
    fixed(row.download.mbPerSecond),
  ])
  const header = [
    'file',
    'RSS at rest MB',
    'upload peak RSS MB',
    'upload MB/s',
    'download peak RSS MB',
    'download MB/s',
  ]
  return { title: 'Granary memory by file size (form upload, signed download)', header, rows }
}

function concurrencySection(concurrency: ConcurrencyResult): Section {
  const rows = Object.entries(concurrency.configs).map(([name, stats]) => [
    name,
    range(stats.aggregateMbPerSecond),
    range(stats.p99SecondsPerFile, 2),
    megabytes(stats.peakRssBytes),
    name === GRANARY ? '1' : range(concurrency.ratios[`granary/${name}`], 2),
  ])
  const title = `Concurrency, ${concurrency.clients} clients x ${size(concurrency.sizeBytes)}`
  return {
    title,
    header: ['server', 'aggregate MB/s', 'p99 s per file', 'peak RSS MB', 'granary / this'],
    rows,
  }
}

export function size(bytes: number): string {
  return bytes >= GiB
    ? `${fixed(bytes / GiB, bytes % GiB ? 2 : 0)} GiB`
    : `${fixed(bytes / MiB, 0)} MiB`
}
