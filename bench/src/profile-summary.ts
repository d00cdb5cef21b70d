/**
 * `npm run bench:profile -- FILE.cpuprofile [--top=15] [--skip=SECONDS]`: the functions a V8 CPU profile (from
 * `npm run bench -- --cpu-prof=DIR`) spent the most self time in, as shares of the busy samples
 * (idle samples left out), with their file and line. This is how
 * docs/benchmarks.md's before/after profile tables are made.
 */
import { readFile } from 'node:fs/promises'
import { basename } from 'node:path'

interface ProfileNode {
  readonly id: number
  readonly callFrame: {
    readonly functionName: string
    readonly url: string
    readonly lineNumber: number
  }
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[]
  readonly samples: readonly number[]
  /** Microseconds since the previous sample, one per sample. */
  readonly timeDeltas: readonly number[]
}

const NOT_BUSY = new Set(['(idle)'])
const USAGE = 'npm run bench:profile -- FILE.cpuprofile [--top=15] [--skip=SECONDS]'

export interface SelfTime {
  readonly name: string
  readonly where: string
  readonly share: number
}

/** `skipSeconds` leaves out the start-up (module loading, schema compilation) before the bench. */
export function topSelfTimes(profile: CpuProfile, top: number, skipSeconds = 0): SelfTime[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]))
  const counts = new Map<string, { name: string; where: string; samples: number }>()
  let busy = 0
  let elapsed = 0
  for (const [index, id] of profile.samples.entries()) {
    elapsed += profile.timeDeltas[index] ?? 0
    if (elapsed < skipSeconds * 1e6) continue
    const frame = nodes.get(id)?.callFrame
    if (!frame || NOT_BUSY.has(frame.functionName)) continue
    busy++
    const name = frame.functionName || '(anonymous)'
    const where = frame.url ? `${basename(frame.url)}:${frame.lineNumber + 1}` : ''
    const key = `${name} ${where}`
    const entry = counts.get(key) ?? { name, where, samples: 0 }
    entry.samples++
    counts.set(key, entry)
  }
  return [...counts.values()]
    .sort((a, b) => b.samples - a.samples)
    .slice(0, top)
    .map((entry) => ({ name: entry.name, where: entry.where, share: entry.samples / busy }))
}

async function main(): Promise<void> {
  const args = process.argv.slice(2)
  const file = args.find((arg) => !arg.startsWith('--'))
  if (!file) throw new Error(`usage: ${USAGE}`)
  const option = (name: string) => args.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1]
  const top = Number(option('top') ?? 15)
  const skip = Number(option('skip') ?? 0)
  const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile
  console.log('| self time | function | where |\n| --- | --- | --- |')
  for (const entry of topSelfTimes(profile, top, skip)) {
    console.log(`| ${(entry.share * 100).toFixed(1)}% | \`${entry.name}\` | ${entry.where} |`)
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  })
}
