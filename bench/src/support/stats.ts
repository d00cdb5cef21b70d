/** Summaries of repeated measurements: median, min and max, and latency percentiles. */

export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly samples: readonly number[]
}

export function spread(samples: readonly number[]): Spread {
  const finite = samples.filter(Number.isFinite)
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, samples }
  return {
    median: percentile(finite, 50),
    min: Math.min(...finite),
    max: Math.max(...finite),
    samples,
  }
}

/** Linear interpolation between closest ranks. */
export function percentile(samples: readonly number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const rank = (p / 100) * (sorted.length - 1)
  const low = Math.floor(rank)
  const high = Math.ceil(rank)
  const lowValue = sorted[low] ?? Number.NaN
  const highValue = sorted[high] ?? lowValue
  return lowValue + (highValue - lowValue) * (rank - low)
}

/** Ratios of paired samples (round i of A over round i of B), so a noisy round affects both. */
export function pairedRatio(a: readonly number[], b: readonly number[]): Spread {
  return spread(a.map((value, index) => value / (b[index] ?? Number.NaN)))
}

export const MiB = 1024 * 1024
export const GiB = 1024 * MiB

export function mbPerSecond(bytes: number, seconds: number): number {
  return bytes / 1e6 / seconds
}
