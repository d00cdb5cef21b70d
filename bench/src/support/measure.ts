/** One measured transfer, and the interleaved rounds and summaries built from many of them. */
import type { ChildServer } from './child-server.ts'
import { GiB, mbPerSecond, pairedRatio, type Spread, spread } from './stats.ts'

export interface Sample {
  readonly bytes: number
  readonly seconds: number
  /** Server CPU (user + system) spent during the transfer. */
  readonly cpuSeconds: number
  /** Server peak RSS during the transfer. */
  readonly peakRss: number
  /** Server RSS just before it (what the process holds at rest). */
  readonly rssBefore: number
}

export async function measure(
  server: ChildServer,
  bytes: number,
  work: () => Promise<unknown>,
): Promise<Sample> {
  await server.resetPeakRss()
  const rssBefore = await server.rss()
  const cpuBefore = await server.cpuSeconds()
  const started = performance.now()
  await work()
  const seconds = (performance.now() - started) / 1000
  const cpuSeconds = (await server.cpuSeconds()) - cpuBefore
  return { bytes, seconds, cpuSeconds, peakRss: await server.peakRss(), rssBefore }
}

/**
 * Runs every configuration once per round, A B C, B C A, C A B…: interleaved so a slow spell of
 * the machine hits every configuration, rotated so none always goes first.
 */
export async function interleave<T>(
  names: readonly string[],
  rounds: number,
  run: (name: string, round: number) => Promise<T>,
): Promise<Record<string, T[]>> {
  const results: Record<string, T[]> = Object.fromEntries(names.map((name) => [name, []]))
  for (let round = 0; round < rounds; round++) {
    for (let index = 0; index < names.length; index++) {
      const name = names[(round + index) % names.length] as string
      results[name]?.push(await run(name, round))
    }
  }
  return results
}

export interface TransferStats {
  readonly mbPerSecond: Spread
  readonly cpuSecondsPerGiB: Spread
  readonly peakRssBytes: Spread
  readonly rssBeforeBytes: Spread
}

export interface Comparison {
  readonly subject: string
  readonly sizeBytes: number
  readonly rounds: number
  readonly configs: Record<string, TransferStats>
  /** `subject/other`: MB/s of the subject over the other's, paired by round. */
  readonly ratios: Record<string, Spread>
  /** `subject/other`: CPU-seconds per GiB of the subject over the other's (lower is better). */
  readonly cpuRatios: Record<string, Spread>
}

export function transferStats(samples: readonly Sample[]): TransferStats {
  return {
    mbPerSecond: spread(samples.map((s) => mbPerSecond(s.bytes, s.seconds))),
    cpuSecondsPerGiB: spread(samples.map((s) => (s.cpuSeconds / s.bytes) * GiB)),
    peakRssBytes: spread(samples.map((s) => s.peakRss)),
    rssBeforeBytes: spread(samples.map((s) => s.rssBefore)),
  }
}

export function compare(
  subject: string,
  sizeBytes: number,
  samples: Record<string, Sample[]>,
): Comparison {
  const configs = Object.fromEntries(
    Object.entries(samples).map(([name, list]) => [name, transferStats(list)]),
  )
  const speeds = (name: string) => (samples[name] ?? []).map((s) => mbPerSecond(s.bytes, s.seconds))
  const cpuPerByte = (name: string) => (samples[name] ?? []).map((s) => s.cpuSeconds / s.bytes)
  const others = Object.keys(samples).filter((name) => name !== subject)
  const paired = (of: (name: string) => number[]) =>
    Object.fromEntries(
      others.map((name) => [`${subject}/${name}`, pairedRatio(of(subject), of(name))]),
    )
  return {
    subject,
    sizeBytes,
    rounds: samples[subject]?.length ?? 0,
    configs,
    ratios: paired(speeds),
    cpuRatios: paired(cpuPerByte),
  }
}
