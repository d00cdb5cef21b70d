/**
 * One server under test in its own child process, compiled to plain JavaScript first as
 * `npm start` runs Granary (no transpiler in the measured process, for any server): its URL,
 * its CPU time (/proc/PID/stat utime + stime) and its peak RSS (/proc/PID/status VmHWM, which
 * writing 5 to /proc/PID/clear_refs resets between measurements).
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { bundle } from '../../../scripts/bundle.mjs'

export const ROOT = join(import.meta.dirname, '..', '..', '..')
/** Linux reports utime and stime in clock ticks; USER_HZ is 100 on every mainstream build. */
const TICKS_PER_SECOND = 100

export interface ServerSpec {
  /** Label used in tables and results. */
  readonly name: string
  /** The entry point, relative to the repository root. */
  readonly entry: string
  /** Extra environment; PORT, HOST, BENCH_DATA_DIR and GRANARY_DATA_DIR are always set. */
  readonly env?: Record<string, string>
  /** Extra node flags, e.g. --cpu-prof. */
  readonly nodeFlags?: readonly string[]
  /** An existing data folder to use (kept on stop); otherwise a fresh temp one (removed on stop). */
  readonly dataDir?: string
}

const bundles = new Map<string, Promise<string>>()
let bundleDir: Promise<string> | undefined

/**
 * Bundles live under the repository's node_modules/.cache, not the system temp folder: the
 * bundles keep their dependencies external, and Node resolves those by walking up from the
 * bundle's own folder to a node_modules, which a folder under /tmp does not have.
 */
const BUNDLE_ROOT = join(ROOT, 'node_modules', '.cache', 'granary-bench')

/** The entry bundled once per run into a fresh folder under BUNDLE_ROOT (removed by stopAll). */
function compiled(entry: string): Promise<string> {
  let script = bundles.get(entry)
  if (!script) {
    bundleDir ??= mkdir(BUNDLE_ROOT, { recursive: true }).then(() =>
      mkdtemp(join(BUNDLE_ROOT, 'bundles-')),
    )
    script = bundleDir.then(async (dir) => {
      const outdir = join(dir, String(bundles.size))
      await bundle(join(ROOT, entry), outdir)
      return join(outdir, `${basename(entry, '.ts')}.js`)
    })
    bundles.set(entry, script)
  }
  return script
}

/** Servers started and not yet stopped, so an interrupted run can still stop them. */
const running = new Set<ChildServer>()

export class ChildServer {
  readonly name: string
  readonly url: string
  readonly dataDir: string
  readonly #child: ChildProcess
  readonly #ownsDataDir: boolean
  #log = ''

  private constructor(spec: ServerSpec, child: ChildProcess, url: string, dataDir: string) {
    this.name = spec.name
    this.url = url
    this.dataDir = dataDir
    this.#child = child
    this.#ownsDataDir = spec.dataDir === undefined
    const keep = (chunk: Buffer) => {
      this.#log = (this.#log + chunk.toString()).slice(-20_000)
    }
    child.stdout?.on('data', keep)
    child.stderr?.on('data', keep)
  }

  static async start(spec: ServerSpec): Promise<ChildServer> {
    const dataDir = spec.dataDir ?? (await mkdtemp(join(tmpdir(), `granary-bench-${spec.name}-`)))
    const port = await freePort()
    const env = {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      BENCH_DATA_DIR: dataDir,
      GRANARY_DATA_DIR: dataDir,
      ...spec.env,
    }
    const args = [...(spec.nodeFlags ?? []), await compiled(spec.entry)]
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const server = new ChildServer(spec, child, `http://127.0.0.1:${port}`, dataDir)
    running.add(server)
    await server.#waitUntilHealthy()
    return server
  }

  get pid(): number {
    return this.#child.pid ?? 0
  }

  output(): string {
    return this.#log
  }

  /** User + system CPU seconds the process has used so far. */
  async cpuSeconds(): Promise<number> {
    const stat = await readFile(`/proc/${this.pid}/stat`, 'utf8')
    // Fields after the parenthesised command name: state is [0], utime [11], stime [12].
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND
  }

  async peakRss(): Promise<number> {
    return this.#statusBytes('VmHWM')
  }

  async rss(): Promise<number> {
    return this.#statusBytes('VmRSS')
  }

  async #statusBytes(field: 'VmHWM' | 'VmRSS'): Promise<number> {
    const status = await readFile(`/proc/${this.pid}/status`, 'utf8')
    return Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024
  }

  /** Resets VmHWM to the current RSS (Linux >= 4.0), so the next peak is this measurement's. */
  async resetPeakRss(): Promise<void> {
    await writeFile(`/proc/${this.pid}/clear_refs`, '5').catch(() => {})
  }

  async stop(): Promise<void> {
    running.delete(this)
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      const exited = once(this.#child, 'exit')
      this.#child.kill('SIGTERM')
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    }
    if (this.#ownsDataDir) await rm(this.dataDir, { recursive: true, force: true })
  }

  async #waitUntilHealthy(): Promise<void> {
    const deadline = Date.now() + 60_000
    while (Date.now() < deadline) {
      if (this.#child.exitCode !== null) {
        throw new Error(`${this.name} exited (${this.#child.exitCode}):\n${this.#log}`)
      }
      try {
        if ((await fetch(`${this.url}/healthz`)).ok) return
      } catch {}
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    await this.stop()
    throw new Error(`${this.name} did not answer /healthz within 60 s:\n${this.#log}`)
  }
}

/** Stops every server still running (Ctrl-C, a timeout): no process or temp folder outlives the run. */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((server) => server.stop()))
  const dir = bundleDir
  bundleDir = undefined
  bundles.clear()
  if (dir) await rm(await dir, { recursive: true, force: true })
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}
