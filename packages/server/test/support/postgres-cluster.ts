/**
 * A throwaway PostgreSQL cluster for tests: `initdb` into a fresh temp folder, `postgres` on a
 * free port of 127.0.0.1 (its unix socket inside that folder), one empty database. Nothing is
 * shared with a system cluster; `stop()` kills it and removes the folder.
 */
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { chown, mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { delimiter, join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'

const run = promisify(execFile)

export interface PostgresBinaries {
  initdb: string
  pgCtl: string
}

export interface PostgresCluster {
  /** postgres://granary@127.0.0.1:<port>/granary */
  readonly url: string
  readonly port: number
  /** Milliseconds from initdb to the first accepted connection. */
  readonly startupMs: number
  /** Kills the server (`pg_ctl stop -m immediate`) but keeps its data, as a crash would. */
  crash(): Promise<void>
  /** Starts the server again on the same port after `crash()`. */
  restart(): Promise<void>
  /** Kills the server and removes its folder. */
  stop(): Promise<void>
}

/** initdb and pg_ctl from PATH, else the newest /usr/lib/postgresql/<version>/bin; undefined when absent. */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean)
  const debian = '/usr/lib/postgresql'
  if (existsSync(debian)) {
    const versions = readdirSync(debian).filter((v) => /^\d+$/.test(v))
    versions.sort((a, b) => Number(b) - Number(a))
    dirs.push(...versions.map((v) => join(debian, v, 'bin')))
  }
  for (const dir of dirs) {
    const initdb = join(dir, 'initdb')
    const pgCtl = join(dir, 'pg_ctl')
    if (existsSync(initdb) && existsSync(pgCtl)) return { initdb, pgCtl }
  }
  return undefined
}

/** PostgreSQL refuses to run as root: as root, commands run as this user via runuser or setpriv. */
interface RunAs {
  wrap(command: string, args: string[]): [string, string[]]
  uid: number
  gid: number
}

function unprivilegedUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined
  for (const user of ['postgres', 'nobody']) {
    let uid: number
    let gid: number
    try {
      uid = Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim())
      gid = Number(execFileSync('id', ['-g', user], { encoding: 'utf8' }).trim())
    } catch {
      continue
    }
    if (existsSync('/usr/sbin/runuser') || existsSync('/sbin/runuser')) {
      return {
        uid,
        gid,
        wrap: (command, args) => ['runuser', ['-u', user, '--', command, ...args]],
      }
    }
    const ids = [`--reuid=${uid}`, `--regid=${gid}`, '--clear-groups']
    return { uid, gid, wrap: (command, args) => ['setpriv', [...ids, command, ...args]] }
  }
  throw new Error(
    'running as root and found no unprivileged user (postgres, nobody) to run PostgreSQL',
  )
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      const port = typeof address === 'object' && address ? address.port : 0
      server.close(() => resolve(port))
    })
  })
}

/** Clusters still running, killed synchronously if the test process exits without stop(). */
const running = new Set<() => void>()
const killAll = () => {
  for (const kill of running) kill()
  running.clear()
}
process.once('exit', killAll)
// A signal skips 'exit': kill the clusters, then, unless someone else handles the signal (as
// scripts/run-tests.ts does), let it end the process as it would have.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll()
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal)
  })
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const binaries = findPostgresBinaries()
  if (!binaries) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) are not installed')
  const started = performance.now()
  const as = unprivilegedUser()
  const exec = (command: string, args: string[]) => {
    const [file, argv] = as ? as.wrap(command, args) : [command, args]
    return run(file, argv, { encoding: 'utf8' })
  }
  const dir = await mkdtemp(join(tmpdir(), 'granary-pg-'))
  if (as) await chown(dir, as.uid, as.gid)
  const data = join(dir, 'data')
  const pgCtl = (...args: string[]) => exec(binaries.pgCtl, ['-D', data, ...args])
  const killNow = () => {
    const [file, argv] = as
      ? as.wrap(binaries.pgCtl, ['-D', data, 'stop', '-m', 'immediate'])
      : [binaries.pgCtl, ['-D', data, 'stop', '-m', 'immediate']]
    try {
      execFileSync(file, argv, { stdio: 'ignore' })
    } catch {}
    rmSync(dir, { recursive: true, force: true })
  }
  running.add(killNow)
  try {
    // --no-sync and fsync=off: a test cluster need not survive a power cut, and it starts faster.
    const initdb = ['-D', data, '--auth=trust', '-U', 'granary', '-E', 'UTF8', '--locale=C']
    await exec(binaries.initdb, [...initdb, '--no-sync'])
    let port = 0
    const startServer = async () => {
      const options = `-h 127.0.0.1 -p ${port} -k ${dir} -F -c max_connections=200`
      await pgCtl('start', '-w', '-t', '60', '-l', join(dir, 'server.log'), '-o', options)
    }
    // A free port can be taken between probing and listening: try a few.
    for (let attempt = 1; ; attempt++) {
      port = await freePort()
      try {
        await startServer()
        break
      } catch (error) {
        if (attempt === 3) throw error
      }
    }
    await createDatabase(port)
    const url = `postgres://granary@127.0.0.1:${port}/granary`
    return Object.freeze({
      url,
      port,
      startupMs: Math.round(performance.now() - started),
      crash: async () => {
        await pgCtl('stop', '-m', 'immediate')
      },
      restart: startServer,
      stop: async () => {
        running.delete(killNow)
        await pgCtl('stop', '-m', 'immediate').catch(() => {})
        await rm(dir, { recursive: true, force: true })
      },
    })
  } catch (error) {
    running.delete(killNow)
    killNow()
    throw error
  }
}

async function createDatabase(port: number): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'granary', database: 'postgres' })
  await client.connect()
  try {
    await client.query('create database granary')
  } finally {
    await client.end()
  }
}
