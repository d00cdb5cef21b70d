import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { errorResponse, json } from '../test/fake-fetch.ts'
import { fakeMultipartServer } from '../test/fake-multipart.ts'
import { ApiError } from './errors.ts'
import type { Progress } from './file-options.ts'
import { Granary } from './granary.ts'

const PART = 1000
const data = randomBytes(PART * 9 + 123) // 10 parts, the last one short
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const fast = { retries: 4, baseDelayMs: 1, maxDelayMs: 5 }
let dir = ''
let path = ''

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'granary-multipart-'))
  path = join(dir, 'big.bam')
  await writeFile(path, data)
})
after(() => rm(dir, { recursive: true, force: true }))

function client(server: ReturnType<typeof fakeMultipartServer>) {
  return new Granary({ baseUrl: 'http://granary.test', fetch: server.fetch, workspaceId: 'ws_a' })
}

function joined(server: ReturnType<typeof fakeMultipartServer>): Buffer {
  const numbers = [...server.parts.keys()].sort((a, b) => a - b)
  return Buffer.concat(numbers.map((n) => server.parts.get(n) as Uint8Array))
}

const upload = (server: ReturnType<typeof fakeMultipartServer>, extra = {}) =>
  client(server).files.uploadFile(path, {
    multipartThreshold: 1,
    path: 'bam/',
    retry: fast,
    ...extra,
  })

describe('files.uploadFile, multipart', () => {
  it('opens a session from the threshold, signs in batches, sends 4 parts at once, confirms with the SHA-256', async () => {
    const server = fakeMultipartServer({ partSize: PART })
    const progress: Progress[] = []
    const file = await upload(server, {
      partSize: PART,
      onProgress: (p: Progress) => progress.push(p),
    })
    assert.equal(file.sha256, sha(data))
    assert.ok(joined(server).equals(data))
    const opened = server.fetch.requests.find((r) => r.url.pathname === '/v1/files/upload-url')
    const body = JSON.parse(Buffer.from(opened?.body ?? []).toString())
    assert.equal(body.multipart, true)
    assert.equal(body.part_size, PART)
    assert.equal(server.maxInFlight, 4)
    assert.deepEqual(server.signCalls[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 'one batch for all')
    assert.equal(server.signCalls.length, 1)
    assert.deepEqual(server.confirmed[0], {
      file_key: 'bam/big.bam',
      workspace_id: 'ws_a',
      filename: 'big.bam',
      size: data.length,
      upload_id: 'up_1',
      sha256: sha(data),
    })
    const last = progress.at(-1)
    assert.equal(last?.loaded, data.length)
    assert.equal(last?.total, data.length)
    assert.equal(typeof last?.bytesPerSecond, 'number')
    for (let i = 1; i < progress.length; i++) {
      assert.ok((progress[i]?.loaded ?? 0) <= data.length)
    }
  })

  it('honours concurrency and uses a form upload below both thresholds', async () => {
    const server = fakeMultipartServer({ partSize: PART })
    await upload(server, { concurrency: 2 })
    assert.equal(server.maxInFlight, 2)
    const small = fakeMultipartServer({ partSize: PART })
    const form = client(small).files.uploadFile(path, { multipartThreshold: data.length + 1 })
    await form.catch(() => {})
    assert.equal(small.fetch.requests[0]?.url.pathname, '/v1/files/upload')
  })

  it('follows the server when it answers a multipart session to a single-PUT request', async () => {
    const server = fakeMultipartServer({ partSize: PART })
    const original = server.fetch
    const wrapped = Object.assign(
      (input: string | URL | Request, init?: RequestInit) => {
        if (String(input).endsWith('/v1/files/upload-url') && init?.body) {
          const body = JSON.parse(String(init.body))
          init = { ...init, body: JSON.stringify({ ...body, multipart: true }) }
        }
        return original(input, init)
      },
      { requests: original.requests },
    )
    const granary = new Granary({
      baseUrl: 'http://granary.test',
      fetch: wrapped,
      workspaceId: 'ws_a',
    })
    await granary.files.uploadFile(path, { largeThreshold: 1, multipartThreshold: 10 ** 12 })
    assert.ok(joined(server).equals(data))
  })

  it('retries 5xx, 429 and network failures with backoff', async () => {
    const server = fakeMultipartServer({
      partSize: PART,
      onPut: (n, attempt) => {
        if (n === 2 && attempt === 1) return errorResponse(503, 'storage_unavailable')
        if (n === 3 && attempt < 3) return errorResponse(429, 'internal_error')
        if (n === 4 && attempt === 1) throw new TypeError('fetch failed')
        return undefined
      },
    })
    const file = await upload(server)
    assert.equal(file.sha256, sha(data))
    assert.deepEqual(
      [2, 3, 4].map((n) => server.attempts.get(n)),
      [2, 3, 2],
    )
  })

  it('gives up on a part after the retries and fails at once on a 4xx', async () => {
    const always = fakeMultipartServer({
      partSize: PART,
      onPut: () => errorResponse(500, 'internal_error'),
    })
    await assert.rejects(upload(always, { retry: { ...fast, retries: 2 } }), { status: 500 })
    assert.ok((always.attempts.get(1) ?? 0) <= 3)
    const bad = fakeMultipartServer({
      partSize: PART,
      onPut: () => errorResponse(400, 'invalid_request'),
    })
    await assert.rejects(upload(bad), { code: 'invalid_request' })
    assert.ok([...bad.attempts.values()].every((n) => n === 1))
    assert.equal(bad.confirmed.length, 0)
  })

  it('signs a part URL again when the store refuses it (403)', async () => {
    const server = fakeMultipartServer({
      partSize: PART,
      onPut: (n, attempt) =>
        n === 5 && attempt === 1 ? errorResponse(403, 'url_expired') : undefined,
    })
    await upload(server)
    assert.ok(joined(server).equals(data))
    assert.deepEqual(server.signCalls.at(-1), [5])
    const puts = server.fetch.requests.filter((r) => r.url.pathname === '/parts/5')
    assert.notEqual(puts[0]?.url.searchParams.get('sig'), puts[1]?.url.searchParams.get('sig'))
  })

  it('signs again before a URL expires instead of sending on a stale one', async () => {
    // URLs valid 0.2 s, parts 30 ms each: the later ones are near expiry when their turn comes.
    const server = fakeMultipartServer({ partSize: PART, urlLifetime: 0.2, putDelayMs: 30 })
    await upload(server, { concurrency: 1 })
    assert.ok(joined(server).equals(data))
    assert.ok(server.signCalls.length > 1, `signed ${server.signCalls.length} time(s)`)
    assert.ok(
      [...server.attempts.values()].every((n) => n === 1),
      'no PUT was refused',
    )
  })

  it('sends a part again when the stored SHA-256 differs (local backend)', async () => {
    const server = fakeMultipartServer({
      partSize: PART,
      onPut: (n, attempt, request) =>
        n === 2 && attempt === 1
          ? json({ part_number: 2, size: request.body.byteLength, sha256: 'f'.repeat(64) })
          : undefined,
    })
    await upload(server)
    assert.equal(server.attempts.get(2), 2)
    assert.ok(joined(server).equals(data))
  })

  it('checks an S3 ETag against the MD5 of the part and sends it again on a difference', async () => {
    const server = fakeMultipartServer({
      partSize: PART,
      backend: 's3',
      onPut: (n, attempt) =>
        n === 7 && attempt === 1
          ? new Response(null, { headers: { etag: `"${'0'.repeat(32)}"` } })
          : undefined,
    })
    await upload(server)
    assert.equal(server.attempts.get(7), 2)
    assert.equal(server.attempts.get(6), 1)
    assert.ok(joined(server).equals(data))
  })

  it('checksum: false trusts opaque ETags (S3 with SSE-KMS) instead of sending parts again', async () => {
    const server = fakeMultipartServer({
      partSize: PART,
      backend: 's3',
      opaqueEtags: true,
    })
    await upload(server, { checksum: false })
    assert.ok([...server.attempts.values()].every((attempts) => attempts === 1))
  })

  it('resumes: sends only the missing parts, counts the present ones as done, confirms', async () => {
    const stored = new Map<number, Uint8Array>([
      [1, data.subarray(0, PART)],
      [2, data.subarray(PART, 2 * PART)],
      [3, data.subarray(2 * PART, 2 * PART + 10)], // cut short: sent again
    ])
    const server = fakeMultipartServer({ partSize: PART, stored })
    server.setSize(data.length)
    const progress: Progress[] = []
    const sessions: unknown[] = []
    const file = await client(server).files.resumeUpload('up_1', path, {
      onProgress: (p) => progress.push(p),
      onSession: (s) => {
        sessions.push(s)
      },
    })
    assert.equal(file.sha256, sha(data))
    const sent = server.fetch.requests
      .filter((r) => r.url.pathname.startsWith('/parts/'))
      .map((r) => Number(r.url.pathname.split('/').pop()))
      .sort((a, b) => a - b)
    assert.deepEqual(sent, [3, 4, 5, 6, 7, 8, 9, 10])
    assert.equal(progress[0]?.loaded, 2 * PART)
    assert.equal(progress.at(-1)?.loaded, data.length)
    assert.deepEqual(sessions, [
      { uploadId: 'up_1', fileKey: 'bam/big.bam', partSize: PART, partCount: 10, presentParts: 2 },
    ])
  })

  it('resumes: a present part that differs from the local file is sent again', async () => {
    const changed = Buffer.from(data.subarray(0, PART))
    changed[0] = (changed[0] ?? 0) ^ 0xff
    const server = fakeMultipartServer({ partSize: PART, stored: new Map([[1, changed]]) })
    server.setSize(data.length)
    const file = await client(server).files.uploadFile(path, { resume: { uploadId: 'up_1' } })
    assert.equal(file.sha256, sha(data))
    assert.ok(joined(server).equals(data))
    assert.equal(server.attempts.get(1), 1)
  })

  it('resumes an ended session as upload_not_found, and a completed one by confirming', async () => {
    const expired = fakeMultipartServer({ partSize: PART, status: 'expired' })
    expired.setSize(data.length)
    await assert.rejects(client(expired).files.resumeUpload('up_1', path), (err: unknown) => {
      assert.ok(err instanceof ApiError)
      assert.equal(err.code, 'upload_not_found')
      return true
    })
    const stored = new Map(
      Array.from({ length: 10 }, (_, i) => [i + 1, data.subarray(i * PART, (i + 1) * PART)]),
    )
    const done = fakeMultipartServer({ partSize: PART, status: 'completed', stored })
    done.setSize(data.length)
    const file = await client(done).files.resumeUpload('up_1', path)
    assert.equal(file.sha256, sha(data))
    assert.equal(done.bytesPut, 0)
  })

  it('sends parts the confirm reports missing, then confirms again', async () => {
    const server = fakeMultipartServer({
      partSize: PART,
      // Acknowledged, then lost by the store: only the confirm notices.
      onPut: (n, attempt, request) =>
        n === 9 && attempt === 1
          ? json({ part_number: 9, size: request.body.byteLength, sha256: sha(request.body) })
          : undefined,
    })
    const file = await upload(server)
    assert.equal(file.sha256, sha(data))
    assert.equal(server.confirmed.length, 2)
    assert.equal(server.attempts.get(9), 2)
  })

  it('stops every part when the signal aborts', async () => {
    const controller = new AbortController()
    const server = fakeMultipartServer({
      partSize: PART,
      onPut: (n) => {
        if (n === 3) controller.abort(new Error('stopped by the user'))
        return undefined
      },
    })
    await assert.rejects(upload(server, { signal: controller.signal }), /stopped by the user/)
    assert.equal(server.confirmed.length, 0)
  })
})
