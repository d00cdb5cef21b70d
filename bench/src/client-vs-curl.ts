/**
 * The TypeScript client and the installed CLI against curl, on the same Granary server: upload
 * and download of one file (1 GiB; `--quick`: 256 MiB), in paired rounds whose order rotates.
 *
 *   npm run bench:client -w @granary/bench -- [--quick] [--rounds=N] [--out=file.json]
 *
 * Uploads: curl's form POST (`-F file=@`) vs `client.files.upload` (the same form POST),
 * `client.files.uploadFile` (what the CLI uses: upload-url, one PUT, confirm with the SHA-256)
 * and `granary upload`. Downloads of a signed URL: curl to a file, then `sync <file>` (the
 * client's download is durable when it returns, so curl's time includes its fsync too; curl
 * without the sync is reported beside it) vs `client.files.download` and `granary download`.
 * The client and the CLI are the built packages (scripts/build-packages.mjs, no tsx), each run
 * in its own Node process as a user's script or shell would: the CLI's time includes its
 * start-up, the client's is the call alone (its process starting is not the client's cost).
 * CPU is user+sys: the client's from process.cpuUsage in its process, curl's and the CLI's from
 * /usr/bin/time. Every step starts after a `sync`, so no step pays for the previous one's
 * dirty pages.
 */
import { execFile } from 'node:child_process'
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { promisify } from 'node:util'
import { Granary } from '@granary/client'
import { generatedBytes } from './client/byte-source.ts'
import { ADMIN_KEY, WORKSPACE } from './client/granary-api.ts'
import { ChildServer, ROOT, stopAll } from './support/child-server.ts'
import { describeMachine } from './support/machine.ts'
import { granarySpec } from './support/peers.ts'
import { GiB, MiB, pairedRatio, type Spread, spread } from './support/stats.ts'

const run = promisify(execFile)

interface Timing {
  wall: number
  cpu: number
}

type Step = (round: number) => Promise<Timing>

const args = process.argv.slice(2)
const flag = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1]
const quick = args.includes('--quick')
const size = quick ? 256 * MiB : GiB
const rounds = Number(flag('rounds') ?? 5)
const day = new Date().toISOString().slice(0, 10)
const out = flag('out') ?? join(ROOT, 'bench', 'results', `${day}-client-vs-curl.json`)

/** Runs a command under /usr/bin/time: wall and user+sys CPU of the process and its children. */
async function timed(command: string[], env: NodeJS.ProcessEnv = process.env): Promise<Timing> {
  const report = join(tmpdir(), `granary-time-${process.pid}`)
  const started = performance.now()
  await run('/usr/bin/time', ['-f', '%U %S', '-o', report, ...command], {
    env,
    maxBuffer: 16 * MiB,
  })
  const wall = (performance.now() - started) / 1000
  const [user = 0, sys = 0] = (await readFile(report, 'utf8')).trim().split(/\s+/).map(Number)
  await rm(report, { force: true })
  return { wall, cpu: user + sys }
}

/**
 * A script calling the built client once (`upload <file> <folder>`, `uploadFile <file>
 * <folder>` or `download <key> <dest>`) and printing the call's wall and CPU seconds as JSON.
 */
const CLIENT_SCRIPT = `
import { Granary } from './client/dist/index.js'
const [method, a, b] = process.argv.slice(2)
const client = new Granary()
const calls = {
  upload: () => client.files.upload(a, { path: b }),
  uploadFile: () => client.files.uploadFile(a, { path: b }),
  download: () => client.files.download(a, { dest: b }),
}
const cpu = process.cpuUsage()
const started = performance.now()
await calls[method]()
const used = process.cpuUsage(cpu)
const wall = (performance.now() - started) / 1000
console.log(JSON.stringify({ wall, cpu: (used.user + used.system) / 1e6 }))
`

/** Builds the npm packages; answers the CLI's bin and the client script beside them. */
async function buildPackages(): Promise<{ cli: string; script: string }> {
  const dir = join(ROOT, 'node_modules', '.cache', 'granary-bench', 'packages')
  await run(process.execPath, [join(ROOT, 'scripts/build-packages.mjs'), dir])
  const script = join(dir, 'client-call.mjs')
  await writeFile(script, CLIENT_SCRIPT)
  return { cli: join(dir, 'granary', 'dist', 'granary.js'), script }
}

/** One client call in its own process: the call's own wall and CPU. */
async function clientCall(script: string, env: NodeJS.ProcessEnv, args: string[]) {
  const { stdout } = await run(process.execPath, [script, ...args], { env })
  return JSON.parse(stdout) as Timing
}

async function main(): Promise<void> {
  console.log(`client vs curl: ${size / MiB} MiB, ${rounds} rounds`)
  const work = await mkdtemp(join(tmpdir(), 'granary-client-bench-'))
  const { cli, script } = await buildPackages()
  const server = await ChildServer.start(granarySpec())
  try {
    const source = join(work, 'source.bin')
    await pipeline(generatedBytes(size), createWriteStream(source))
    const client = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY, workspaceId: WORKSPACE })
    const env = {
      ...process.env,
      GRANARY_URL: server.url,
      GRANARY_API_KEY: ADMIN_KEY,
      GRANARY_WORKSPACE: WORKSPACE,
      GRANARY_STATE_DIR: join(work, 'state'),
    }
    const curlForm = (folder: string) => [
      'curl', '-sS', '-f', '-o', '/dev/null', '-H', 'Expect:',
      '-H', `authorization: Bearer ${ADMIN_KEY}`,
      '-F', `workspace_id=${WORKSPACE}`, '-F', `path=${folder}`, '-F', `file=@${source}`,
      `${server.url}/v1/files/upload`,
    ] // biome-ignore format: one curl command
    const uploads: Record<string, Step> = {
      curl: () => timed(curlForm('curl/')),
      'client.files.upload': () => clientCall(script, env, ['upload', source, 'client-form/']),
      'client.files.uploadFile': () =>
        clientCall(script, env, ['uploadFile', source, 'client-put/']),
      'granary upload': () => timed(['node', cli, 'upload', source, '--path', 'cli/'], env),
    }
    await timed(curlForm('served/'))
    const key = 'served/source.bin'
    const fresh = async (name: string) => {
      const path = join(work, 'down', name)
      await rm(path, { force: true })
      return path
    }
    await mkdir(join(work, 'down'), { recursive: true })
    const curlGet = async (sync: boolean) => {
      const { url } = await client.files.downloadUrl(key)
      const path = await fresh('curl.bin')
      const get = `curl -sS -f -o '${path}' '${url}'${sync ? ` && sync '${path}'` : ''}`
      return timed(['sh', '-c', get])
    }
    const downloads: Record<string, Step> = {
      'curl + sync': () => curlGet(true),
      'curl (no sync)': () => curlGet(false),
      'client.files.download': async () =>
        clientCall(script, env, ['download', key, await fresh('client.bin')]),
      'granary download': async () =>
        timed(['node', cli, 'download', key, await fresh('cli.bin')], env),
    }
    const results = {
      upload: await measure('upload', uploads, rounds, 'curl'),
      download: await measure('download', downloads, rounds, 'curl + sync'),
    }
    const document = { size, rounds, machine: describeMachine(), ...results }
    await mkdir(join(out, '..'), { recursive: true })
    await writeFile(out, `${JSON.stringify(document, null, 2)}\n`)
    console.log(`wrote ${out}`)
  } finally {
    await server.stop()
    await stopAll()
    await rm(work, { recursive: true, force: true })
  }
}

interface Row {
  wall: Spread
  cpu: Spread
  /** curl's wall over this one's, paired by round: >= 0.9 is the target. */
  curlOverThis: Spread
}

/** Every step once per round, the order rotated each round; medians and paired ratios. */
async function measure(
  title: string,
  steps: Record<string, Step>,
  count: number,
  baseline: string,
): Promise<Record<string, Row>> {
  const names = Object.keys(steps)
  const samples = new Map<string, Timing[]>(names.map((name) => [name, []]))
  for (let round = 0; round < count; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as string)
    for (const name of order) {
      const step = steps[name] as Step
      await run('sync')
      samples.get(name)?.push(await step(round))
    }
  }
  const base = (samples.get(baseline) ?? []).map((t) => t.wall)
  const rows: Record<string, Row> = {}
  console.log(`\n${title} (${size / MiB} MiB): median [min-max], curl/this paired by round`)
  for (const name of names) {
    const own = samples.get(name) ?? []
    const wall = spread(own.map((t) => t.wall))
    const cpu = spread(own.map((t) => t.cpu))
    const curlOverThis = pairedRatio(
      base,
      own.map((t) => t.wall),
    )
    rows[name] = { wall, cpu, curlOverThis }
    console.log(
      `  ${name.padEnd(26)} wall ${fmt(wall)} s  cpu ${fmt(cpu)} s  curl/this ${fmt(curlOverThis)}`,
    )
  }
  return rows
}

const fmt = (s: Spread) => `${s.median.toFixed(2)} [${s.min.toFixed(2)}-${s.max.toFixed(2)}]`

await main()
