/**
 * The report's chart: one horizontal bar per ratio (median), a whisker from min to max, a dashed
 * mark at the target and a line at 1x. Hand-written SVG, so it renders on GitHub with no tooling.
 */
import type { BenchResult } from '../run-bench.ts'
import type { Spread } from '../support/stats.ts'

interface Bar {
  readonly label: string
  readonly value: Spread
  readonly target?: number
}

const WIDTH = 760
const LABEL = 250
const ROW = 30
const TOP = 40

export function ratioBars(result: BenchResult): Bar[] {
  const { upload, largeFile, multipart, download, listing, concurrency } = result
  const bars: (Bar | undefined)[] = [
    bar('form upload / limit', upload?.ratios['granary/limit'], 0.95),
    bar('form upload / @tus/server', upload?.ratios['granary/tus'], 1),
    bar('form upload / fastify-multipart', upload?.ratios['granary/fastify-multipart'], 1),
    bar('large-file PUT / limit', largeFile?.ratios['granary/limit'], 0.95),
    bar('multipart session / limit', multipart?.ratios['granary/limit'], 0.85),
    bar('download / limit', download?.full.ratios['granary/limit'], 0.9),
    bar('1 MiB ranges / limit', download?.ranges.ratios['granary/limit'], 0.9),
    bar('list req/s / baseline', listing?.http.ratios['list/baseline'], 0.7),
    bar('folder view req/s / baseline', listing?.http.ratios['folders/baseline'], 0.7),
    bar('concurrent uploads / limit', concurrency?.ratios['granary/limit']),
  ]
  return bars.filter((value): value is Bar => value !== undefined)
}

function bar(label: string, value: Spread | undefined, target?: number): Bar | undefined {
  if (!value || !Number.isFinite(value.median)) return undefined
  return target === undefined ? { label, value } : { label, value, target }
}

export function chartSvg(result: BenchResult): string {
  const bars = ratioBars(result)
  const scaleMax = Math.max(1.5, ...bars.map((b) => b.value.max)) * 1.05
  const x = (ratio: number) => LABEL + (ratio / scaleMax) * (WIDTH - LABEL - 60)
  const height = TOP + bars.length * ROW + 40
  const title = `Granary vs the limit and peers (ratios, ${result.mode} mode, ${result.date.slice(0, 10)})`
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="20" font-size="14" font-weight="bold">${escapeXml(title)}</text>`,
    ...bars.map((b, i) => barSvg(b, TOP + i * ROW, x)),
    axisSvg(x, TOP + bars.length * ROW, scaleMax),
    '</svg>',
    '',
  ].join('\n')
}

function barSvg(b: Bar, y: number, x: (ratio: number) => number): string {
  const met = b.target === undefined || b.value.median >= b.target
  const fill = b.target === undefined ? '#8fa9c9' : met ? '#4c9a6a' : '#d0743c'
  const parts = [
    `<text x="${LABEL - 8}" y="${y + 16}" text-anchor="end">${escapeXml(b.label)}</text>`,
    `<rect x="${LABEL}" y="${y + 5}" width="${x(b.value.median) - LABEL}" height="16" fill="${fill}"/>`,
    `<line x1="${x(b.value.min)}" x2="${x(b.value.max)}" y1="${y + 13}" y2="${y + 13}" stroke="#222"/>`,
    `<text x="${x(b.value.max) + 6}" y="${y + 17}">${b.value.median.toFixed(2)}x</text>`,
  ]
  if (b.target !== undefined) {
    const tx = x(b.target)
    parts.push(
      `<line x1="${tx}" x2="${tx}" y1="${y + 2}" y2="${y + 24}" stroke="#b00" stroke-dasharray="3,2"/>`,
    )
  }
  return parts.join('\n')
}

function axisSvg(x: (ratio: number) => number, y: number, scaleMax: number): string {
  const ticks = []
  for (let tick = 0; tick <= scaleMax; tick += 0.5) {
    ticks.push(
      `<line x1="${x(tick)}" x2="${x(tick)}" y1="${TOP}" y2="${y}" stroke="${tick === 1 ? '#000' : '#ddd'}"/>`,
    )
    ticks.push(`<text x="${x(tick)}" y="${y + 15}" text-anchor="middle">${tick}x</text>`)
  }
  const legend = [
    `<text x="${LABEL}" y="${y + 32}" fill="#555">bar: median of paired rounds; whisker: min-max; dashed red: issue 17 target</text>`,
  ]
  return [...ticks, ...legend].join('\n')
}

function escapeXml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;')
}
