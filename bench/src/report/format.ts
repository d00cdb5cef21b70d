/** Number formatting and plain-text / Markdown tables shared by the reports. */
import type { Spread } from '../support/stats.ts'

export function fixed(value: number, digits = 1): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a'
}

/** "median (min-max)". */
export function range(value: Spread | undefined, digits = 1, scale = 1): string {
  if (!value) return 'n/a'
  const f = (n: number) => fixed(n / scale, digits)
  return `${f(value.median)} (${f(value.min)}-${f(value.max)})`
}

export function megabytes(value: Spread | undefined): string {
  return range(value, 0, 1e6)
}

export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) =>
    Math.max(cell.length, ...rows.map((r) => (r[i] ?? '').length)),
  )
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n')
}

export function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n')
}
