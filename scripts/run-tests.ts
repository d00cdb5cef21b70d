/**
 * `npm test`: starts the test services this machine can run (a throwaway PostgreSQL cluster, a
 * throwaway Ceph RGW for S3), runs every TypeScript suite with node's test runner and the Python
 * client's pytest suite against them, stops the services whatever happened, and says loudly what
 * it could not run. With CI set, a service that cannot start fails the run instead.
 *
 * Options (environment): GRANARY_TEST_DATABASE_URL / GRANARY_TEST_S3_ENDPOINT use services you
 * run yourself; GRANARY_TEST_S3=off or GRANARY_TEST_POSTGRES=off skip starting them; extra
 * arguments are test files to run instead of all of them.
 */
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import {
  findPostgresBinaries,
  startPostgresCluster,
} from '../packages/server/test/support/postgres-cluster.ts'

const root = join(import.meta.dirname, '..')
const inCi = Boolean(process.env.CI)
const notRun: string[] = []
const cleanups: Array<() => Promise<void>> = []

function findTests(dir: string, out: string[] = []): string[] {
  if (!existsSync(dir)) return out
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) findTests(path, out)
    else if (entry.endsWith('.test.ts')) out.push(relative(root, path))
  }
  return out
}

function unavailable(what: string, why: string): void {
  if (inCi) throw new Error(`CI requires ${what}, but ${why}`)
  notRun.push(`${what}: ${why}`)
}

async function startPostgres(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.GRANARY_TEST_DATABASE_URL || env.GRANARY_TEST_POSTGRES === 'off') {
    if (!env.GRANARY_TEST_DATABASE_URL) unavailable('PostgreSQL', 'GRANARY_TEST_POSTGRES=off')
    return
  }
  if (!findPostgresBinaries())
    return unavailable('PostgreSQL', 'its server binaries (initdb, pg_ctl) are not installed')
  const cluster = await startPostgresCluster()
  cleanups.push(() => cluster.stop())
  env.GRANARY_TEST_DATABASE_URL = cluster.url
  console.log(`PostgreSQL test cluster on ${cluster.url} (${cluster.startupMs} ms)`)
}

async function startS3(env: NodeJS.ProcessEnv): Promise<void> {
  if (env.GRANARY_TEST_S3_ENDPOINT || env.GRANARY_TEST_S3 === 'off') {
    if (!env.GRANARY_TEST_S3_ENDPOINT) unavailable('S3 (Ceph RGW)', 'GRANARY_TEST_S3=off')
    return
  }
  if (spawnSync('sh', ['-c', 'command -v radosgw']).status !== 0) {
    return unavailable(
      'S3 (Ceph RGW)',
      'radosgw is not installed (scripts/s3-test-server.sh install)',
    )
  }
  const dir = await mkdtemp(join(tmpdir(), 'granary-rgw-'))
  const script = join(root, 'scripts', 's3-test-server.sh')
  cleanups.push(async () => {
    spawnSync('bash', [script, 'stop', dir], { stdio: 'inherit' })
    await rm(dir, { recursive: true, force: true })
  })
  const started = Date.now()
  if (spawnSync('bash', [script, 'start', dir], { stdio: 'inherit' }).status !== 0) {
    return unavailable('S3 (Ceph RGW)', 'the test server did not start (see above)')
  }
  for (const line of readFileSync(join(dir, 'env'), 'utf8').split('\n')) {
    const match = line.match(/^(?:export\s+)?(GRANARY_TEST_S3_\w+)=['"]?([^'"]*)['"]?$/)
    if (match) env[match[1] as string] = match[2]
  }
  console.log(
    `S3 test server (Ceph RGW) on ${env.GRANARY_TEST_S3_ENDPOINT} (${Date.now() - started} ms)`,
  )
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: root, env, stdio: 'inherit' })
    child.on('close', (code) => resolve(code ?? 1))
  })
}

async function runNodeTests(files: string[], env: NodeJS.ProcessEnv, tap: string) {
  const code = await run(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      '--test-concurrency=2',
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    env,
  )
  const report = await readFile(tap, 'utf8').catch(() => '')
  const count = (name: string) =>
    Number(report.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0)
  return {
    code,
    passed: count('pass'),
    failed: count('fail') + count('cancelled'),
    skipped: count('skipped'),
  }
}

/** pytest, its output shown as it comes and kept to read the counts from. */
function runPythonTests(env: NodeJS.ProcessEnv) {
  return new Promise<{ code: number; passed: number; failed: number; skipped: number }>(
    (resolve) => {
      const args = ['-m', 'pytest', '-q', '-p', 'no:cacheprovider', 'python/tests']
      const child = spawn('python3', args, { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] })
      let out = ''
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        process.stdout.write(chunk)
      })
      child.on('close', (code) => {
        const count = (name: string) => Number(out.match(new RegExp(`(\\d+) ${name}`))?.[1] ?? 0)
        resolve({
          code: code ?? 1,
          passed: count('passed'),
          failed: count('failed') + count('error'),
          skipped: count('skipped'),
        })
      })
    },
  )
}

async function main(): Promise<number> {
  const env: NodeJS.ProcessEnv = { ...process.env }
  const only = process.argv.slice(2)
  const work = await mkdtemp(join(tmpdir(), 'granary-test-run-'))
  cleanups.push(() => rm(work, { recursive: true, force: true }))
  await startPostgres(env)
  await startS3(env)
  const files =
    only.length > 0
      ? only
      : ['packages', 'e2e', 'bench'].flatMap((dir) => findTests(join(root, dir)))
  const node = await runNodeTests(
    files.filter((f) => f.endsWith('.ts')),
    env,
    join(work, 'node.tap'),
  )
  const python =
    only.length === 0 && existsSync(join(root, 'python', 'tests'))
      ? await pythonSuite(env)
      : { code: 0, passed: 0, failed: 0, skipped: 0 }
  for (const line of notRun) console.error(`\n!!! NOT RUN: ${line}`)
  const skipped = node.skipped + python.skipped
  console.log(`\ntypescript: ${node.passed} passed, ${node.failed} failed, ${node.skipped} skipped`)
  console.log(`python: ${python.passed} passed, ${python.failed} failed, ${python.skipped} skipped`)
  console.log(
    `total: ${node.passed + python.passed} passed, ${node.failed + python.failed} failed, ${skipped} skipped`,
  )
  return node.code !== 0 || python.code !== 0 ? 1 : 0
}

async function pythonSuite(env: NodeJS.ProcessEnv) {
  if (spawnSync('python3', ['-c', 'import pytest, requests']).status !== 0) {
    unavailable('the Python client tests', 'python3 with pytest and requests is missing')
    return { code: 0, passed: 0, failed: 0, skipped: 0 }
  }
  return runPythonTests(env)
}

async function stopServices(): Promise<void> {
  for (const cleanup of cleanups.reverse())
    await cleanup().catch((error) => console.error('cleanup failed:', error))
}

process.once('SIGINT', () => void stopServices().then(() => process.exit(130)))
process.once('SIGTERM', () => void stopServices().then(() => process.exit(143)))
main()
  .catch((error: unknown) => {
    console.error(`\nnpm test: ${error instanceof Error ? error.message : String(error)}`)
    return 1
  })
  .then(async (code) => {
    await stopServices()
    process.exit(code)
  })
