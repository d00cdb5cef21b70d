const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB']

/**
 * Bytes for people, in powers of 1024 with one decimal from KiB up.
 *
 * @example humanSize(1536) // '1.5 KiB'
 */
export function humanSize(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`
}

/**
 * An ISO 8601 instant as `YYYY-MM-DD HH:MM` UTC: sortable and the same on every machine.
 *
 * @example shortDate('2025-03-04T05:06:07.000Z') // '2025-03-04 05:06'
 */
export function shortDate(iso: string | null | undefined): string {
  if (!iso) return '-'
  const date = new Date(iso)
  if (Number.isNaN(date.getTime())) return iso
  return date.toISOString().slice(0, 16).replace('T', ' ')
}

/** Seconds as `1h02m`, `3m05s` or `12s`. */
export function shortDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '-'
  const s = Math.round(seconds)
  if (s >= 3600) return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`
  if (s >= 60) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`
  return `${s}s`
}

function pad2(n: number): string {
  return String(n).padStart(2, '0')
}

/**
 * Left-aligned columns separated by two spaces; the last column is never padded.
 *
 * @example table([['ID', 'NAME'], ['ws_a', 'Lab']]) // ['ID    NAME', 'ws_a  Lab']
 */
export function table(rows: ReadonlyArray<ReadonlyArray<string>>): string[] {
  const widths: number[] = []
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length)
    })
  }
  return rows.map((row) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  '),
  )
}

/** The fixed-width `ls` row, so pages can be printed as they arrive. */
export function fileRow(size: string, updated: string, key: string): string {
  return `${size.padStart(10)}  ${updated.padEnd(16)}  ${key}`
}
