/**
 * S3 confirm of a large object answers 202 and the server reads the bytes back in the background
 * (issue 17): the upload shows `verifying`, the file appears once verified, a mismatch fails the
 * upload with its code, and a verification left by a stopped process is resumed by the next one.
 * Real Ceph RGW (the S3 backends of the matrix); the threshold is lowered to 1 MiB.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { setTimeout as sleep } from 'node:timers/promises'
import { Granary } from '../../../client/src/granary.ts'
import { randomId } from '../../src/domain/ids.ts'
import { backendMatrix } from '../support/backends.ts'
import { injectFetch } from '../support/inject-fetch.ts'
import { createTestDatabase, type TestDatabase } from '../support/postgres-test-env.ts'
import { ADMIN_KEY, PUBLIC_URL, startTestServer, type TestServer } from '../support/test-server.ts'

const MiB = 1024 * 1024
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex')

for (const backend of backendMatrix().filter((b) => b.name.endsWith('+s3'))) {
  describe(`background verification of large uploads (${backend.name})`, () => {
    let dataDir: string
    let database: TestDatabase | undefined
    let shared: Record<string, string>
    let server: TestServer
    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'granary-verify-'))
      const url = backend.env.GRANARY_DATABASE_URL
      database = url ? await createTestDatabase(url) : undefined
      // Two servers in turn on the same database and bucket folder, as after a restart.
      shared = {
        GRANARY_DATA_DIR: dataDir,
        GRANARY_S3_PREFIX: `test-${randomId(12)}/`,
        GRANARY_S3_BACKGROUND_VERIFY_BYTES: String(MiB),
        ...(database ? { GRANARY_DATABASE_URL: database.url } : {}),
      }
      server = await startTestServer(backend, shared)
    })
    after(async () => {
      await server.close()
      await database?.drop()
      await rm(dataDir, { recursive: true, force: true })
    })

    const startUpload = async (
      s: TestServer,
      filename: string,
      size: number,
      multipart: boolean,
    ) => {
      const response = await s.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: {
          workspace_id: 'ws_default',
          filename,
          size,
          ...(multipart ? { multipart: true, part_size: 5 * MiB } : {}),
        },
      })
      assert.equal(response.statusCode, 201, response.body)
      return response.json()
    }
    const sendParts = async (s: TestServer, uploadId: string, bytes: Buffer, count: number) => {
      const signed = await s.request({
        method: 'POST',
        url: `/v1/files/uploads/${uploadId}/parts`,
        json: {
          workspace_id: 'ws_default',
          part_numbers: Array.from({ length: count }, (_, i) => i + 1),
        },
      })
      assert.equal(signed.statusCode, 200, signed.body)
      for (const part of signed.json().parts) {
        const start = (part.part_number - 1) * 5 * MiB
        const body = bytes.subarray(start, start + part.size)
        const put = await s.fetchSigned(part.url, { method: 'PUT', headers: part.headers, body })
        assert.equal(put.status, 200, put.body.toString())
      }
    }
    const confirm = (s: TestServer, upload: Record<string, string>, extra = {}) =>
      s.request({
        method: 'POST',
        url: '/v1/files/upload-confirm',
        json: {
          workspace_id: 'ws_default',
          file_key: upload.fileKey,
          upload_id: upload.uploadId,
          ...extra,
        },
      })
    const uploadStatus = async (s: TestServer, uploadId: string) => {
      const response = await s.request({
        method: 'GET',
        url: `/v1/files/uploads/${uploadId}`,
        query: { workspace_id: 'ws_default' },
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json()
    }
    /** Polls as the clients do, until the upload is no longer verifying. */
    const settled = async (s: TestServer, uploadId: string) => {
      for (let i = 0; i < 600; i++) {
        const status = await uploadStatus(s, uploadId)
        if (status.status !== 'verifying') return status
        await sleep(50)
      }
      throw new Error(`upload ${uploadId} still verifying`)
    }
    const listed = async (s: TestServer, key: string) => {
      const response = await s.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', prefix: key },
      })
      return response.json().files.map((f: { key: string }) => f.key)
    }

    test('a multipart session answers 202, shows verifying, and its file appears once verified', async () => {
      const bytes = randomBytes(11 * MiB + 17)
      const upload = await startUpload(server, 'big.bin', bytes.length, true)
      await sendParts(server, upload.uploadId, bytes, 3)
      const answer = await confirm(server, upload, { size: bytes.length, sha256: sha(bytes) })
      assert.equal(answer.statusCode, 202, answer.body)
      assert.deepEqual(answer.json(), { status: 'verifying', upload_id: upload.uploadId })
      const done = await settled(server, upload.uploadId)
      assert.equal(done.status, 'completed')
      const file = await confirm(server, upload, { size: bytes.length })
      assert.equal(file.statusCode, 200, file.body)
      assert.equal(file.json().sha256, sha(bytes))
      assert.equal(file.json().size, bytes.length)
      assert.deepEqual(await listed(server, 'big.bin'), ['big.bin'])
    })

    test('a single PUT above the threshold is adopted in the background too', async () => {
      const bytes = randomBytes(2 * MiB + 5)
      const upload = await startUpload(server, 'single.bin', bytes.length, false)
      const put = await server.fetchSigned(upload.uploadUrl, {
        method: 'PUT',
        headers: upload.headers,
        body: bytes,
      })
      assert.equal(put.status, 200, put.body.toString())
      const answer = await confirm(server, upload, { size: bytes.length })
      assert.equal(answer.statusCode, 202, answer.body)
      assert.equal((await settled(server, upload.uploadId)).status, 'completed')
      const file = await confirm(server, upload, { size: bytes.length })
      assert.equal(file.json().sha256, sha(bytes))
    })

    test('below the threshold confirm answers the file at once', async () => {
      const bytes = randomBytes(MiB - 1)
      const upload = await startUpload(server, 'small.bin', bytes.length, false)
      await server.fetchSigned(upload.uploadUrl, {
        method: 'PUT',
        headers: upload.headers,
        body: bytes,
      })
      const answer = await confirm(server, upload, { size: bytes.length })
      assert.equal(answer.statusCode, 200, answer.body)
      assert.equal(answer.json().sha256, sha(bytes))
    })

    test('a missing part is answered to the confirm itself, not left to the background', async () => {
      const bytes = randomBytes(11 * MiB)
      const upload = await startUpload(server, 'holes.bin', bytes.length, true)
      await sendParts(server, upload.uploadId, bytes, 2)
      const answer = await confirm(server, upload, { size: bytes.length })
      assert.equal(answer.statusCode, 409, answer.body)
      assert.equal(answer.json().error.code, 'upload_not_received')
      assert.equal((await uploadStatus(server, upload.uploadId)).status, 'pending')
    })

    test('a SHA-256 mismatch fails the upload with checksum_mismatch; no file appears', async () => {
      const bytes = randomBytes(6 * MiB)
      const upload = await startUpload(server, 'wrong.bin', bytes.length, true)
      await sendParts(server, upload.uploadId, bytes, 2)
      const answer = await confirm(server, upload, { size: bytes.length, sha256: '0'.repeat(64) })
      assert.equal(answer.statusCode, 202, answer.body)
      const failed = await settled(server, upload.uploadId)
      assert.equal(failed.status, 'failed')
      assert.equal(failed.error.code, 'checksum_mismatch')
      assert.match(failed.error.message, new RegExp(sha(bytes)))
      const again = await confirm(server, upload, { size: bytes.length })
      assert.equal(again.json().error.code, 'checksum_mismatch')
      assert.deepEqual(await listed(server, 'wrong.bin'), [])
    })

    test('a verification left by a stopped process is resumed by the next one', async () => {
      // This process verifies nothing (GRANARY_VERIFY_CONCURRENCY=0), like one stopped mid-way.
      const idle = await startTestServer(backend, { ...shared, GRANARY_VERIFY_CONCURRENCY: '0' })
      const bytes = randomBytes(7 * MiB + 3)
      let upload: Record<string, string>
      try {
        upload = await startUpload(idle, 'resumed.bin', bytes.length, true)
        await sendParts(idle, upload.uploadId ?? '', bytes, 2)
        const answer = await confirm(idle, upload, { size: bytes.length })
        assert.equal(answer.statusCode, 202, answer.body)
        const status = await uploadStatus(idle, upload.uploadId ?? '')
        assert.equal(status.status, 'verifying')
        assert.equal(status.verified_bytes, 0)
        assert.equal((await confirm(idle, upload, { size: bytes.length })).statusCode, 202)
        assert.deepEqual(await listed(idle, 'resumed.bin'), [])
      } finally {
        await idle.close()
      }
      // A fresh process on the same database and bucket picks it up when it starts; the
      // TypeScript client resuming the interrupted upload waits for it and answers the file.
      const next = await startTestServer(backend, shared)
      try {
        const client = new Granary({
          baseUrl: PUBLIC_URL,
          apiKey: ADMIN_KEY,
          workspaceId: 'ws_default',
          fetch: injectFetch(next.app, PUBLIC_URL),
        })
        const resumed = await client.files.resumeUpload(upload.uploadId ?? '', new Blob([bytes]), {
          filename: 'resumed.bin',
        })
        assert.equal(resumed.sha256, sha(bytes))
        assert.equal((await uploadStatus(next, upload.uploadId ?? '')).status, 'completed')
        const url = await next.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { workspace_id: 'ws_default', key: 'resumed.bin' },
        })
        const body = await next.fetchSigned(url.json().url)
        assert.equal(sha(body.body), sha(bytes))
      } finally {
        await next.close()
      }
    })
  })
}
