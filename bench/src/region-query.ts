/**
 * `npm run bench:region -w @granary/bench`: a 10 kb region of a 1,000,000-record bgzipped VCF,
 * queried through `GET /v1/files/query` (index cache warm) and by `tabix` on a Granary link (its
 * index cached in the working folder, as htslib does), interleaved, one at a time; `tabix` on the
 * local file is the floor. Writes bench/results/<date>-region-query.json and the block between
 * the region-query markers of docs/benchmarks.md (inside its kept analysis).
 */
import { execFile, spawn } from 'node:child_process'
import { once } from 'node:events'
import { openAsBlob } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { ADMIN_KEY, WORKSPACE } from './client/granary-api.ts'
import { ChildServer, ROOT, stopAll } from './support/child-server.ts'
import { granarySpec } from './support/peers.ts'
import { percentile } from './support/stats.ts'

const run = promisify(execFile)
const RECORDS = 1_000_000
const STEP_BP = 10
const REGION_BP = 10_000
const auth = { authorization: `Bearer ${ADMIN_KEY}` }

/** Streams the VCF's text into `bgzip -c`, with backpressure, then indexes it with tabix. */
async function makeVcf(dir: string): Promise<string> {
  const path = join(dir, 'big.vcf.gz')
  const bgzip = spawn('sh', ['-c', `bgzip -c > "${path}"`], {
    stdio: ['pipe', 'inherit', 'inherit'],
  })
  const write = async (text: string) => {
    if (!bgzip.stdin.write(text)) await once(bgzip.stdin, 'drain')
  }
  await write(
    '##fileformat=VCFv4.2\n##contig=<ID=chr1,length=20000000>\n' +
      '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">\n' +
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">\n' +
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\tS4\n',
  )
  const gts = ['0/0', '0/1', '1/1', './.']
  let batch = ''
  for (let i = 1; i <= RECORDS; i++) {
    const gt = gts[i % 4]
    batch += `chr1\t${i * STEP_BP}\trs${i}\tA\tG\t${i % 100}\tPASS\tDP=${i % 97}\tGT\t${gt}\t0/1\t${gts[(i >> 2) % 4]}\t1/1\n`
    if (i % 10_000 === 0) {
      await write(batch)
      batch = ''
    }
  }
  bgzip.stdin.end(batch)
  await once(bgzip, 'exit')
  await run('tabix', ['-p', 'vcf', path])
  return path
}

async function upload(server: ChildServer, path: string, name: string): Promise<void> {
  const form = new FormData()
  form.append('workspace_id', WORKSPACE)
  form.append('path', 'bench/')
  form.append('file', await openAsBlob(path), name)
  const answer = await fetch(`${server.url}/v1/files/upload`, {
    method: 'POST',
    headers: auth,
    body: form,
  })
  if (answer.status !== 201)
    throw new Error(`upload ${name}: ${answer.status} ${await answer.text()}`)
}

async function granaryQuery(server: ChildServer, region: string): Promise<string> {
  const query = new URLSearchParams({ workspace_id: WORKSPACE, key: 'bench/big.vcf.gz', region })
  const answer = await fetch(`${server.url}/v1/files/query?${query}`, { headers: auth })
  if (answer.status !== 200) throw new Error(`query: ${answer.status} ${await answer.text()}`)
  return answer.text()
}

async function link(server: ChildServer): Promise<string> {
  const query = new URLSearchParams({
    workspace_id: WORKSPACE,
    key: 'bench/big.vcf.gz',
    link: 'granary',
  })
  const answer = await fetch(`${server.url}/v1/files/download?${query}`, { headers: auth })
  return ((await answer.json()) as { url: string }).url
}

async function tabix(target: string, region: string, cwd: string): Promise<string> {
  const { stdout } = await run('tabix', [target, region], { cwd, maxBuffer: 1 << 26 })
  return stdout
}

async function timed(task: () => Promise<string>): Promise<{ ms: number; text: string }> {
  const started = performance.now()
  const text = await task()
  return { ms: performance.now() - started, text }
}

function regions(count: number): string[] {
  let seed = 17
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31
    return seed / 2 ** 31
  }
  const span = RECORDS * STEP_BP - REGION_BP
  return Array.from({ length: count }, () => {
    const start = 1 + Math.floor(next() * span)
    return `chr1:${start}-${start + REGION_BP - 1}`
  })
}

interface Summary {
  readonly median_ms: number
  readonly p99_ms: number
}

const summary = (samples: readonly number[]): Summary => ({
  median_ms: Number(percentile(samples, 50).toFixed(2)),
  p99_ms: Number(percentile(samples, 99).toFixed(2)),
})

async function main(): Promise<void> {
  const rounds = Number(process.argv.find((a) => a.startsWith('--rounds='))?.split('=')[1] ?? 300)
  const work = await mkdtemp(join(tmpdir(), 'granary-bench-region-'))
  try {
    const started = performance.now()
    const vcf = await makeVcf(work)
    const server = await ChildServer.start(granarySpec())
    await upload(server, vcf, 'big.vcf.gz')
    await upload(server, `${vcf}.tbi`, 'big.vcf.gz.tbi')
    const url = await link(server)
    const htslibCwd = join(work, 'htslib-cwd')
    await mkdir(htslibCwd)
    const list = regions(rounds)
    // Warm-up: Granary parses and caches the index; htslib downloads it into its folder.
    for (const region of list.slice(0, 5)) {
      const [ours, theirs] = [
        await granaryQuery(server, region),
        await tabix(url, region, htslibCwd),
      ]
      if (ours !== theirs) throw new Error(`outputs differ for ${region}`)
    }
    const samples = {
      granary: [] as number[],
      tabixLink: [] as number[],
      tabixLocal: [] as number[],
    }
    let records = 0
    for (const region of list) {
      const ours = await timed(() => granaryQuery(server, region))
      const theirs = await timed(() => tabix(url, region, htslibCwd))
      const local = await timed(() => tabix(vcf, region, htslibCwd))
      if (ours.text !== theirs.text || ours.text !== local.text)
        throw new Error(`differ: ${region}`)
      records += ours.text.split('\n').length - 1
      samples.granary.push(ours.ms)
      samples.tabixLink.push(theirs.ms)
      samples.tabixLocal.push(local.ms)
    }
    await server.stop()
    const result = {
      date: new Date().toISOString(),
      records: RECORDS,
      file_bytes: (await readFile(vcf)).length,
      region_bp: REGION_BP,
      rounds,
      mean_records_per_region: Math.round(records / rounds),
      granary_query: summary(samples.granary),
      tabix_on_granary_link: summary(samples.tabixLink),
      tabix_on_local_file: summary(samples.tabixLocal),
      seconds: Math.round((performance.now() - started) / 1000),
    }
    console.log(JSON.stringify(result, null, 2))
    const out = join(ROOT, 'bench', 'results', `${result.date.slice(0, 10)}-region-query.json`)
    await writeFile(out, `${JSON.stringify(result, null, 2)}\n`)
    await writeDocs(result)
  } finally {
    await stopAll()
    await rm(work, { recursive: true, force: true })
  }
}

const START = '<!-- region-query:start -->'
const END = '<!-- region-query:end -->'

/** Replaces the block between the markers (kept by the generated report: it is in the analysis). */
async function writeDocs(result: {
  date: string
  file_bytes: number
  rounds: number
  mean_records_per_region: number
  granary_query: Summary
  tabix_on_granary_link: Summary
  tabix_on_local_file: Summary
}): Promise<void> {
  const path = join(ROOT, 'docs', 'benchmarks.md')
  const doc = await readFile(path, 'utf8')
  const row = (name: string, s: Summary) => `| ${name} | ${s.median_ms} | ${s.p99_ms} |`
  const block = [
    START,
    `### Region query: 10 kb of a 1,000,000-record bgzipped VCF (${(result.file_bytes / 2 ** 20).toFixed(1)} MiB), ${result.rounds} regions`,
    '',
    `Generated by \`npm run bench:region -w @granary/bench\` on ${result.date.slice(0, 10)}; random 10 kb regions (${result.mean_records_per_region} records each on average), each queried by the three ways in turn, outputs checked equal. Granary's index cache is warm; \`tabix\` reads the Granary link (local backend) with its downloaded index cached in its folder, as htslib does; its times include starting the process. **The machine was shared with other helpers' builds and tests during this run**: compare the columns, not the absolute figures.`,
    '',
    '| how | median ms | p99 ms |',
    '| --- | ---: | ---: |',
    row('`GET /v1/files/query` (Granary)', result.granary_query),
    row('`tabix <Granary link>`', result.tabix_on_granary_link),
    row('`tabix <local file>` (floor)', result.tabix_on_local_file),
    END,
  ].join('\n')
  const next = doc.includes(START)
    ? doc.slice(0, doc.indexOf(START)) + block + doc.slice(doc.indexOf(END) + END.length)
    : doc.replace('<!-- analysis:end -->', `${block}\n\n<!-- analysis:end -->`)
  await writeFile(path, next)
}

await main()
