/**
 * `npm run bench [-- --quick] [-- --parts=upload,listing] [-- --cpu-prof=DIR] [-- --no-docs]`
 * (or `-- --from=bench/results/<file>.json` to re-render docs/benchmarks.md from an earlier run):
 * runs the benchmarks, prints the tables, writes bench/results/<date>-<mode>.json and, unless
 * --no-docs, docs/benchmarks.md and docs/benchmarks.svg (a full run: docs/benchmarks-full.*).
 */
import { readFile } from 'node:fs/promises'
import { docsBaseName, parseArgs, writeDocs, writeResults } from './cli.ts'
import { textTable } from './report/format.ts'
import { sections } from './report/sections.ts'
import { type BenchResult, runBench } from './run-bench.ts'
import { stopAll } from './support/child-server.ts'

async function main() {
  const cli = parseArgs(process.argv.slice(2))
  if (cli.from) {
    // Re-renders the report of an earlier run (e.g. after editing the analysis).
    await writeDocs(JSON.parse(await readFile(cli.from, 'utf8')) as BenchResult)
    return
  }
  const log = (line: string) => process.stdout.write(`${line}\n`)
  log(`granary bench: ${cli.profile.mode} mode, parts ${cli.parts.join(', ')}`)
  const result = await runBench({ ...cli, log })
  for (const section of sections(result))
    log(`\n${section.title}\n${textTable(section.header, section.rows)}`)
  const file = await writeResults(result, cli)
  log(`\nwrote ${[file, ...(cli.docs ? [`docs/${docsBaseName(result)}.md`] : [])].join(', ')}`)
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}, stopping the servers\n`)
    stopAll().finally(() => process.exit(130))
  })
}

main().catch((error: unknown) => {
  process.stderr.write(
    `bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  )
  process.exitCode = 1
})
