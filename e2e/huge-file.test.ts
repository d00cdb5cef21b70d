/**
 * A file over 5 GiB (S3's single-PUT limit) through multipart sessions on every backend, from
 * the CLI and from the TypeScript client: each upload is killed midway and resumed, and the
 * stored file must be byte-exact while the server's and the client's memory stay flat.
 * GRANARY_E2E_HUGE_BYTES makes it smaller for a quick local run.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Granary } from '@granary/client'
import { requires, type Service } from '../packages/server/test/support/requires.ts'
import {
  ADMIN_KEY,
  ROOT,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.ts'

const MiB = 1024 * 1024
const SIZE = Math.floor(Number(process.env.GRANARY_E2E_HUGE_BYTES ?? 5.2 * 1024 * MiB))
/** For a quick smaller run, GRANARY_MULTIPART_THRESHOLD / GRANARY_PART_SIZE reach the clients. */
const CLIENT_ENV = Object.fromEntries(
  ['GRANARY_MULTIPART_THRESHOLD', 'GRANARY_PART_SIZE'].flatMap((name) => {
    const value = process.env[name]
    return value ? [[name, value]] : []
  }),
)

/** A generated file (each MiB differs), written to disk and hashed on the way. */
async function generateFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const out = createWriteStream(path)
  const block = randomBytes(MiB)
  for (let offset = 0, i = 0; offset < size; offset += MiB, i++) {
    block.writeUInt32LE(i, 0)
    const chunk = block.subarray(0, Math.min(MiB, size - offset))
    hash.update(chunk)
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()))
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  )
  return hash.digest('hex')
}

async function peakRss(pid: number | undefined): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '')
  return Number(status.match(/^VmHWM:\s+(\d+) kB/m)?.[1] ?? 0) * 1024
}

/** Runs a child until it exits, noting its peak memory; `killWhen` may end it early. */
async function runChild(child: ChildProcess, killWhen?: () => Promise<boolean>) {
  let peak = 0
  let output = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString()
  })
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  )
  let done = false
  void exited.then(() => {
    done = true
  })
  while (!done) {
    peak = Math.max(peak, await peakRss(child.pid))
    if (killWhen && (await killWhen())) child.kill('SIGKILL')
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return { code: await exited, peak, output }
}

const backends: Array<[string, Service[], (prefix: string) => Record<string, string>]> = [
  ['local', [], () => ({})],
  [
    's3',
    ['s3'],
    (prefix) => ({
      GRANARY_STORAGE: 's3',
      GRANARY_S3_ENDPOINT: process.env.GRANARY_TEST_S3_ENDPOINT ?? '',
      GRANARY_S3_BUCKET: process.env.GRANARY_TEST_S3_BUCKET ?? '',
      GRANARY_S3_REGION: process.env.GRANARY_TEST_S3_REGION ?? 'us-east-1',
      GRANARY_S3_ACCESS_KEY_ID: process.env.GRANARY_TEST_S3_ACCESS_KEY_ID ?? '',
      GRANARY_S3_SECRET_ACCESS_KEY: process.env.GRANARY_TEST_S3_SECRET_ACCESS_KEY ?? '',
      GRANARY_S3_PREFIX: prefix,
    }),
  ],
]

describe(`a ${(SIZE / 1024 / MiB).toFixed(1)} GiB file`, () => {
  let work: string
  let file: string
  let expected: string
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'granary-e2e-huge-'))
    file = join(work, 'genome.bam')
    expected = await generateFile(file, SIZE)
  })
  after(() => rm(work, { recursive: true, force: true }))

  for (const [name, needs, storageEnv] of backends) {
    describe(`on the ${name} backend`, requires(...needs), () => {
      let server: ServerProcess
      let admin: Granary
      before(async () => {
        server = await startServerProcess(storageEnv(`huge-${randomBytes(4).toString('hex')}/`))
        admin = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' })
        // No history and no trash: a deleted 5 GiB file must free its bytes at once (the S3 test
        // server keeps objects in RAM and has room for one at a time).
        await admin.workspaces.update('ws_default', { trashDays: 0, keepVersions: 1 })
      })
      after(() => server.stop())

      /** True once an open session under `folder` holds at least a fifth of its parts. */
      const sessionUnderway = (folder: string) => async () => {
        const open = (await admin.files.uploads.list()).find((u) => u.file_key.startsWith(folder))
        if (!open?.part_count) return false
        const status = await admin.files.uploads.get(open.upload_id)
        return (status.parts?.length ?? 0) >= Math.max(1, open.part_count / 5)
      }
      const stored = async (key: string) => (await admin.files.list({ prefix: key })).files[0]

      test('the CLI, killed midway, resumes to a byte-exact file with flat memory', async (t) => {
        // The S3 test server keeps objects in RAM: never leave one behind.
        t.after(() => admin.files.delete('cli/genome.bam').catch(() => {}))
        const env = {
          ...CLIENT_ENV,
          PATH: process.env.PATH ?? '',
          GRANARY_URL: server.url,
          GRANARY_API_KEY: ADMIN_KEY,
          GRANARY_STATE_DIR: join(work, `state-${name}`),
        }
        const cli = () =>
          spawn(
            process.execPath,
            [join(ROOT, 'packages/cli/bin/granary.js'), 'upload', file, '--path', 'cli/'],
            { env, stdio: ['ignore', 'pipe', 'pipe'] },
          )
        const serverBefore = await server.peakRss()
        const killed = await runChild(cli(), sessionUnderway('cli/'))
        assert.notEqual(killed.code, 0, 'the first run was killed')
        const resumed = await runChild(cli())
        assert.equal(resumed.code, 0, resumed.output)
        const uploaded = await stored('cli/genome.bam')
        assert.equal(uploaded?.size, SIZE)
        assert.equal(uploaded?.sha256, expected)
        assert.ok(
          Math.max(killed.peak, resumed.peak) < 400 * MiB,
          `CLI peak RSS ${(resumed.peak / MiB).toFixed(0)} MiB`,
        )
        const serverGrowth = (await server.peakRss()) - serverBefore
        assert.ok(
          serverGrowth < 128 * MiB,
          `server peak RSS grew ${(serverGrowth / MiB).toFixed(0)} MiB`,
        )
      })

      test('the TypeScript client, killed midway, resumes the same session to a byte-exact file', async (t) => {
        t.after(() => admin.files.delete('client/genome.bam').catch(() => {}))
        const script = join(ROOT, 'e2e/support/client-upload.ts')
        const run = (resumeId?: string) =>
          spawn(
            process.execPath,
            [
              '--import',
              'tsx',
              script,
              server.url,
              ADMIN_KEY,
              file,
              'client/',
              ...(resumeId ? [resumeId] : []),
            ],
            {
              cwd: ROOT,
              env: { ...CLIENT_ENV, PATH: process.env.PATH ?? '' },
              stdio: ['ignore', 'pipe', 'pipe'],
            },
          )
        const killed = await runChild(run(), sessionUnderway('client/'))
        const session = JSON.parse(
          killed.output.split('\n').find((line) => line.includes('"session"')) ?? '{}',
        ).session
        assert.ok(session?.uploadId, killed.output)
        const resumed = await runChild(run(session.uploadId))
        assert.equal(resumed.code, 0, resumed.output)
        assert.match(
          resumed.output,
          /"presentParts":[1-9]/,
          'the resumed run found parts already there',
        )
        const uploaded = await stored('client/genome.bam')
        assert.equal(uploaded?.sha256, expected)
        assert.ok(
          Math.max(killed.peak, resumed.peak) < 400 * MiB,
          `client peak RSS ${(resumed.peak / MiB).toFixed(0)} MiB`,
        )
      })
    })
  }
})
