import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { errorResponse } from '../../client/test/fake-fetch.ts'
import { fakeMultipartServer } from '../../client/test/fake-multipart.ts'
import { json, runCli, type SeenRequest } from '../test/harness.ts'
import { transferPayload } from './progress.ts'

const PART = 1000
const data = randomBytes(PART * 5 + 7)
let dir = ''
let file = ''
let env: Record<string, string> = {}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'granary-cli-uploads-'))
  file = join(dir, 'big.bam')
  await writeFile(file, data)
  env = { GRANARY_STATE_DIR: join(dir, 'state') }
})
after(() => rm(dir, { recursive: true, force: true }))

/** The harness handler in front of a fake multipart server. */
function via(server: ReturnType<typeof fakeMultipartServer>) {
  return (req: SeenRequest) =>
    server.fetch(req.url, {
      method: req.method,
      headers: req.headers,
      body: new Uint8Array(req.body),
    })
}

const argv = [
  'upload',
  '',
  '--multipart-threshold',
  '1KiB',
  '--part-size',
  '5MiB',
  '--concurrency',
  '2',
]
const upload = () => argv.map((a) => a || file)
const stateFiles = () => readdir(join(dir, 'state', 'uploads')).catch(() => [] as string[])

describe('granary upload, multipart', () => {
  it('keeps a state file when interrupted, and the same command resumes and removes it', async () => {
    const failing = fakeMultipartServer({
      partSize: PART,
      onPut: (n) => (n === 4 ? errorResponse(400, 'invalid_request', 'boom') : undefined),
    })
    const first = await runCli(upload(), via(failing), { env })
    assert.equal(first.code, 1)
    const [name] = await stateFiles()
    const saved = JSON.parse(await readFile(join(dir, 'state', 'uploads', name ?? ''), 'utf8'))
    assert.equal(saved.upload_id, 'up_1')
    assert.equal(saved.server_url, 'http://granary.test')
    assert.equal(saved.size, data.length)
    const opened = failing.fetch.requests.find((r) => r.url.pathname === '/v1/files/upload-url')
    const body = JSON.parse(Buffer.from(opened?.body ?? []).toString())
    assert.deepEqual([body.multipart, body.part_size], [true, 5 * 1024 * 1024])

    const resumed = fakeMultipartServer({ partSize: PART, stored: new Map(failing.parts) })
    resumed.setSize(data.length)
    const second = await runCli(upload(), via(resumed), { env })
    assert.equal(second.code, 0, second.stderr)
    assert.match(second.stderr, /resuming upload up_1: \d of 6 parts already on the server/)
    assert.ok(!resumed.fetch.requests.some((r) => r.url.pathname === '/v1/files/upload-url'))
    assert.ok(resumed.bytesPut < data.length, `${resumed.bytesPut} bytes sent again`)
    assert.equal(second.stdout, `uploaded bam/big.bam (${(data.length / 1024).toFixed(1)} KiB)\n`)
    assert.deepEqual(await stateFiles(), [])
  })

  it('starts over when the saved session is gone', async () => {
    const failing = fakeMultipartServer({
      partSize: PART,
      onPut: () => errorResponse(400, 'invalid_request'),
    })
    await runCli(upload(), via(failing), { env })
    assert.equal((await stateFiles()).length, 1)
    const gone = fakeMultipartServer({ partSize: PART, status: 'expired' })
    gone.setSize(data.length)
    const result = await runCli(upload(), via(gone), { env })
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /up_1 is gone from the server; starting over/)
    assert.ok(gone.fetch.requests.some((r) => r.url.pathname === '/v1/files/upload-url'))
    assert.deepEqual(await stateFiles(), [])
  })
})

describe('granary uploads and admin gc', () => {
  const session = {
    upload_id: 'up_9',
    file_key: 'bam/big.bam',
    workspace_id: 'ws_lab',
    status: 'pending',
    multipart: true,
    size: 3 * 1024 ** 3,
    part_size: 64 * 1024 ** 2,
    part_count: 48,
    created_at: '2025-03-04T05:06:07.000Z',
    expires_at: '2025-03-05T05:06:07.000Z',
  }

  it('lists open uploads as a table', async () => {
    const result = await runCli(['uploads', 'ls', '-w', 'ws_lab'], () =>
      json({ uploads: [session] }),
    )
    assert.equal(result.requests[0]?.url.searchParams.get('workspace_id'), 'ws_lab')
    assert.deepEqual(result.stdout.split('\n').slice(0, 2), [
      'ID    STATUS   SIZE     PARTS          CREATED           EXPIRES           KEY',
      'up_9  pending  3.0 GiB  48 x 64.0 MiB  2025-03-04 05:06  2025-03-05 05:06  bam/big.bam',
    ])
  })

  it('aborts an upload', async () => {
    const result = await runCli(
      ['uploads', 'abort', 'up_9'],
      () => new Response(null, { status: 204 }),
    )
    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      `${result.requests[0]?.method} ${result.requests[0]?.url.pathname}`,
      'DELETE /v1/files/uploads/up_9',
    )
    assert.equal(result.stdout, 'aborted upload up_9\n')
  })

  it('runs the reaper and prints what it reclaimed', async () => {
    const result = await runCli(['admin', 'gc'], () =>
      json({ expired_uploads: 2, orphan_blobs: 1, reclaimed_bytes: 3 * 1024 ** 2 }),
    )
    assert.equal(
      `${result.requests[0]?.method} ${result.requests[0]?.url.pathname}`,
      'POST /v1/admin/gc',
    )
    assert.equal(
      result.stdout,
      'expired uploads: 2\norphaned blobs:  1\nreclaimed:       3.0 MiB\n',
    )
  })
})

describe('transferPayload', () => {
  it('prefers the rate and ETA the client measured', () => {
    const payload = transferPayload('f', 50, 100, 1, { bytesPerSecond: 10, etaSeconds: 5 })
    assert.equal(payload.speed, '10 B/s')
    assert.equal(payload.remaining, '5s')
  })
})
