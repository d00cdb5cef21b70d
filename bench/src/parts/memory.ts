/**
 * Part 5: Granary's peak RSS while it receives (form upload) and serves (signed URL) generated
 * files of growing size. Flat memory means every body is streamed, never buffered.
 */
import { downloadUrl } from '../client/granary-api.ts'
import { download } from '../client/http-client.ts'
import type { ChildServer } from '../support/child-server.ts'
import { measure, type Sample } from '../support/measure.ts'
import { cleanup, GRANARY, primeDigests, uploadFor, uploads } from '../support/peers.ts'
import { GiB, mbPerSecond } from '../support/stats.ts'

export interface MemoryRow {
  readonly sizeBytes: number
  readonly upload: MemorySample
  readonly download: MemorySample
}

interface MemorySample {
  readonly rssBeforeBytes: number
  readonly peakRssBytes: number
  readonly mbPerSecond: number
  readonly cpuSecondsPerGiB: number
}

export interface MemoryResult {
  readonly rows: readonly MemoryRow[]
  readonly maxPeakRssBytes: number
}

export async function measureMemory(
  granary: ChildServer,
  sizes: readonly number[],
  log: (line: string) => void,
): Promise<MemoryResult> {
  const rows: MemoryRow[] = []
  for (const size of sizes) {
    const name = `memory-${size}.bin`
    primeDigests(size)
    const upload = await measure(granary, size, () =>
      uploadFor(uploads, GRANARY)(granary, size, name),
    )
    const url = await downloadUrl(granary, `bench/${name}`)
    const served = await measure(granary, size, async () => {
      const answer = await download(url)
      if (answer.bytes !== size) throw new Error(`downloaded ${answer.bytes} of ${size} bytes`)
    })
    await cleanup(granary, name)
    rows.push({ sizeBytes: size, upload: summary(upload), download: summary(served) })
    log(`  ${size / GiB} GiB: peak RSS ${mb(upload.peakRss)} MB up, ${mb(served.peakRss)} MB down`)
  }
  const peaks = rows.flatMap((row) => [row.upload.peakRssBytes, row.download.peakRssBytes])
  return { rows, maxPeakRssBytes: Math.max(...peaks) }
}

function summary(sample: Sample): MemorySample {
  return {
    rssBeforeBytes: sample.rssBefore,
    peakRssBytes: sample.peakRss,
    mbPerSecond: mbPerSecond(sample.bytes, sample.seconds),
    cpuSecondsPerGiB: (sample.cpuSeconds / sample.bytes) * GiB,
  }
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0)
}
