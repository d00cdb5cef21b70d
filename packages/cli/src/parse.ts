import { InvalidArgumentError } from 'commander'

const SIZE_UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
  t: 1024 ** 4,
  tib: 1024 ** 4,
  tb: 1000 ** 4,
}

/**
 * A byte size: a number, optionally with a unit. KB/MB/GB/TB are powers of 1000; K/M/G/T and
 * KiB/MiB/GiB/TiB powers of 1024 (case-insensitive).
 *
 * @example parseSize('100MiB') // 104857600
 */
export function parseSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text)
  const factor = match ? SIZE_UNITS[(match[2] ?? '').toLowerCase()] : undefined
  if (!match || factor === undefined) {
    throw new InvalidArgumentError(`'${text}' is not a size (try 500MB, 100MiB or 1048576).`)
  }
  return Math.round(Number(match[1]) * factor)
}

/** A whole number ≥ 1, for counts and seconds. */
export function parsePositiveInt(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) {
    throw new InvalidArgumentError(`'${text}' is not a whole number of at least 1.`)
  }
  return Number(text)
}

/** Commander reducer for repeatable options: `--scope a --scope b` → ['a', 'b']. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value]
}
