/**
 * A real Granary server in a child process, for black-box tests: started the way `npm start`
 * starts it, on a free loopback port with its own data folder. Imports no server code.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const ROOT = join(import.meta.dirname, '..', '..')
export const ADMIN_KEY = 'e2e-admin-key-0123456789abcdef'

export interface ServerProcess {
  readonly url: string
  readonly dataDir: string
  readonly env: Record<string, string>
  pid(): number
  /** Peak resident memory of the server process so far, in bytes (Linux VmHWM). */
  peakRss(): Promise<number>
  /** SIGKILL, as a crash or power cut would. */
  kill(): Promise<void>
  /** Starts it again on the same port and data folder. */
  restart(): Promise<void>
  stop(): Promise<void>
  output(): string
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

/**
 * `extraEnv` adds or overrides variables; `GRANARY_DATA_DIR` in it shares a data folder between
 * processes (then `stop` leaves the folder to whoever made it).
 */
export async function startServerProcess(
  extraEnv: Record<string, string> = {},
): Promise<ServerProcess> {
  const sharedDir = extraEnv.GRANARY_DATA_DIR
  const dataDir = sharedDir ?? (await mkdtemp(join(tmpdir(), 'granary-e2e-')))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const env = {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    GRANARY_DATA_DIR: dataDir,
    GRANARY_ADMIN_KEY: ADMIN_KEY,
    GRANARY_LOG_LEVEL: 'warn',
    ...extraEnv,
  }
  let child: ChildProcess
  let log = ''
  const launch = async () => {
    child = spawn(
      process.execPath,
      ['--import', 'tsx', join(ROOT, 'packages/server/src/main.ts')],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    child.stdout?.on('data', (chunk: Buffer) => {
      log += chunk.toString()
    })
    child.stderr?.on('data', (chunk: Buffer) => {
      log += chunk.toString()
    })
    await waitUntilHealthy(url, child, () => log)
  }
  const exited = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve()
      else child.once('exit', () => resolve())
    })
  await launch()
  return {
    url,
    dataDir,
    env,
    pid: () => child.pid ?? 0,
    async peakRss() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8')
      return Number(status.match(/^VmHWM:\s+(\d+) kB/m)?.[1] ?? 0) * 1024
    },
    async kill() {
      child.kill('SIGKILL')
      await exited()
    },
    restart: launch,
    async stop() {
      child.kill('SIGTERM')
      // The server cuts requests still running 10 s after a stop: one that outlives that is a
      // bug, reported instead of hanging the test run.
      let hung = false
      const timer = setTimeout(() => {
        hung = true
        child.kill('SIGKILL')
      }, 30_000)
      await exited()
      clearTimeout(timer)
      if (hung) throw new Error(`the server did not stop within 30 s of SIGTERM:\n${log}`)
      if (!sharedDir) await rm(dataDir, { recursive: true, force: true })
    },
    output: () => log,
  }
}

async function waitUntilHealthy(
  url: string,
  child: ChildProcess,
  log: () => string,
): Promise<void> {
  const deadline = Date.now() + 30_000
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${log()}`)
    try {
      if ((await fetch(`${url}/healthz`)).ok) return
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`the server did not answer /healthz within 30 s:\n${log()}`)
}
