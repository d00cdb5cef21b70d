/**
 * Part 3: download through a signed URL (the whole file, then many 1 MiB Range reads) against a
 * minimal fs.createReadStream server holding the same bytes. Both files are re-read before every
 * round so both are served from the page cache alike.
 */
import { createReadStream } from 'node:fs'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { downloadUrl } from '../client/granary-api.ts'
import { download } from '../client/http-client.ts'
import type { ChildServer } from '../support/child-server.ts'
import { type Comparison, compare, interleave, measure, type Sample } from '../support/measure.ts'
import { GRANARY, LIMIT, uploadFor, uploads } from '../support/peers.ts'
import { MiB, percentile, type Spread, spread } from '../support/stats.ts'

const KEY = 'bench/download.bin'

export interface DownloadRun {
  readonly granary: ChildServer
  readonly limit: ChildServer
  readonly size: number
  readonly rangeReads: number
  readonly rounds: number
  readonly log: (line: string) => void
}

export interface DownloadResult {
  readonly full: Comparison
  readonly ranges: Comparison
  /** Per Range request, milliseconds: p50 and p99 of each round. */
  readonly rangeLatencyMs: Record<string, { p50: Spread; p99: Spread }>
}

interface RoundResult {
  full: Sample
  ranges: Sample
  latencies: number[]
}

export async function compareDownloads(run: DownloadRun): Promise<DownloadResult> {
  await uploadFor(uploads, GRANARY)(run.granary, run.size, 'download.bin')
  await uploadFor(uploads, LIMIT)(run.limit, run.size, 'download.bin')
  const files = { [GRANARY]: await blobPath(run.granary), [LIMIT]: limitPath(run.limit) }
  const urls = {
    [GRANARY]: () => downloadUrl(run.granary, KEY),
    [LIMIT]: async () => `${run.limit.url}/files/download.bin`,
  }
  const offsets = rangeOffsets(run.size, run.rangeReads)
  const results = await interleave([GRANARY, LIMIT], run.rounds, async (name, round) => {
    await readWhole(files[name as keyof typeof files])
    const server = name === GRANARY ? run.granary : run.limit
    const result = await downloadRound(server, urls[name as keyof typeof urls], offsets, run.size)
    run.log(
      `  ${name} round ${round + 1}: ${(run.size / 1e6 / result.full.seconds).toFixed(1)} MB/s`,
    )
    return result
  })
  const pick = (key: 'full' | 'ranges') =>
    Object.fromEntries(
      Object.entries(results).map(([name, list]) => [name, list.map((r) => r[key])]),
    )
  return {
    full: compare(GRANARY, run.size, pick('full')),
    ranges: compare(GRANARY, offsets.length * MiB, pick('ranges')),
    rangeLatencyMs: Object.fromEntries(
      Object.entries(results).map(([name, list]) => [
        name,
        {
          p50: spread(list.map((r) => percentile(r.latencies, 50))),
          p99: spread(list.map((r) => percentile(r.latencies, 99))),
        },
      ]),
    ),
  }
}

async function downloadRound(
  server: ChildServer,
  url: () => Promise<string>,
  offsets: readonly number[],
  size: number,
): Promise<RoundResult> {
  const full = await measure(server, size, async () =>
    expectBytes(await download(await url()), size),
  )
  const latencies: number[] = []
  const signed = await url()
  const ranges = await measure(server, offsets.length * MiB, async () => {
    for (const offset of offsets) {
      const started = performance.now()
      const range = `bytes=${offset}-${offset + MiB - 1}`
      expectBytes(await download(signed, { range }), MiB)
      latencies.push(performance.now() - started)
    }
  })
  return { full, ranges, latencies }
}

function expectBytes(answer: { status: number; bytes: number }, bytes: number) {
  if (answer.status >= 300 || answer.bytes !== bytes) {
    throw new Error(`download answered ${answer.status} with ${answer.bytes} of ${bytes} bytes`)
  }
}

/** The same pseudo-random offsets for every server (a fixed LCG, not Math.random). */
function rangeOffsets(size: number, count: number): number[] {
  const span = Math.max(1, size - MiB)
  let state = 12345
  return Array.from({ length: count }, () => {
    state = (state * 1103515245 + 12345) % 2 ** 31
    return state % span
  })
}

async function blobPath(granary: ChildServer): Promise<string> {
  const folder = join(granary.dataDir, 'blobs')
  const entries = await readdir(folder, { recursive: true, withFileTypes: true })
  const blob = entries.find((entry) => entry.isFile() && entry.name === 'download.bin')
  if (!blob) throw new Error(`no download.bin blob under ${folder}`)
  return join(blob.parentPath, blob.name)
}

function limitPath(limit: ChildServer): string {
  return join(limit.dataDir, 'files', 'download.bin')
}

async function readWhole(path: string): Promise<void> {
  for await (const _ of createReadStream(path, { highWaterMark: 4 * MiB })) {
    // Reading is the point: it puts the file back in the page cache.
  }
}
