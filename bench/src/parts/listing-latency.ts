/** Latency of repeated in-process calls, in milliseconds. */
import { percentile } from '../support/stats.ts'

export interface Latency {
  readonly calls: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly maxMs: number
}

/** Times `calls` sequential calls after a tenth as many unmeasured ones (JIT and page cache). */
export async function latencies(
  calls: number,
  call: (index: number) => Promise<unknown>,
): Promise<Latency> {
  for (let i = 0; i < Math.ceil(calls / 10); i++) await call(calls + i)
  const samples: number[] = []
  for (let i = 0; i < calls; i++) {
    const started = performance.now()
    await call(i)
    samples.push(performance.now() - started)
  }
  return summarizeLatency(samples)
}

export function summarizeLatency(samples: readonly number[]): Latency {
  return {
    calls: samples.length,
    p50Ms: percentile(samples, 50),
    p99Ms: percentile(samples, 99),
    maxMs: Math.max(...samples),
  }
}
