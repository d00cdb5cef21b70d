/** The command line of `npm run bench` and where its results are written. */
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { chartSvg } from './report/chart-svg.ts'
import { benchmarksMarkdown } from './report/markdown.ts'
import type { BenchResult } from './run-bench.ts'
import { ROOT } from './support/child-server.ts'
import { ALL_PARTS, type PartName, type Profile, profiles } from './support/profiles.ts'

export interface Cli {
  profile: Profile
  parts: PartName[]
  cpuProfDir?: string
  docs: boolean
  out: string
  /** A results file to re-render the docs from instead of running. */
  from?: string
}

export function parseArgs(argv: readonly string[]): Cli {
  const value = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.split('=')[1]
  const mode = argv.includes('--quick') ? 'quick' : argv.includes('--smoke') ? 'smoke' : 'full'
  const parts = (value('parts')?.split(',') ?? [...ALL_PARTS]) as PartName[]
  const unknown = parts.filter((part) => !ALL_PARTS.includes(part))
  if (unknown.length > 0)
    throw new Error(`unknown parts: ${unknown.join(', ')} (${ALL_PARTS.join(', ')})`)
  const cpuProfDir = value('cpu-prof')
  const from = value('from')
  return {
    profile: profiles[mode],
    parts,
    ...(cpuProfDir ? { cpuProfDir } : {}),
    ...(from ? { from: fromCaller(from) } : {}),
    docs: !argv.includes('--no-docs') && mode !== 'smoke',
    out: fromCaller(value('out') ?? join(ROOT, 'bench', 'results')),
  }
}

/** npm runs workspace scripts in the workspace folder; paths are meant from where npm was run. */
function fromCaller(path: string): string {
  return resolve(process.env.INIT_CWD ?? process.cwd(), path)
}

export async function writeResults(result: BenchResult, cli: Cli): Promise<string> {
  await mkdir(cli.out, { recursive: true })
  const file = join(cli.out, `${result.date.slice(0, 10)}-${result.mode}.json`)
  await writeFile(file, `${JSON.stringify(result, null, 2)}\n`)
  if (cli.docs) await writeDocs(result)
  return file
}

/** The report's files: the quick run's is the main one; a full run's sits beside it. */
export function docsBaseName(result: BenchResult): string {
  return result.mode === 'full' ? 'benchmarks-full' : 'benchmarks'
}

export async function writeDocs(result: BenchResult): Promise<void> {
  const base = docsBaseName(result)
  const markdown = join(ROOT, 'docs', `${base}.md`)
  await writeFile(markdown, await benchmarksMarkdown(result, markdown))
  await writeFile(join(ROOT, 'docs', `${base}.svg`), chartSvg(result))
}
