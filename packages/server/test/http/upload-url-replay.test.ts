/**
 * Issue #11, point 1: once an upload is confirmed, nothing any handed-out URL can do changes what
 * the file serves. A replayed PUT to the upload URL (S3: it lands on the staged object, which
 * confirm already adopted and deleted; local: 409) and a replayed part PUT after the session was
 * joined leave the confirmed bytes, size and SHA-256 in place; `admin gc` collects the replay.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { startTestServer, type TestServer } from '../support/test-server.ts'

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const MiB = 1024 * 1024

for (const backend of backendMatrix()) {
  describe(`upload URLs cannot change a confirmed file (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend, { GRANARY_ORPHAN_GRACE_S: '0' })
    })
    after(() => server.close())

    const post = async (url: string, json: Record<string, unknown>, status: number) => {
      const response = await server.request({
        method: 'POST',
        url,
        json: { workspace_id: 'ws_default', ...json },
      })
      assert.equal(response.statusCode, status, response.body)
      return response.json()
    }
    const blobNames = async () => {
      const names: string[] = []
      for await (const blob of server.server.services.blobs.listBlobs()) names.push(blob.name)
      return names.sort()
    }
    /** The listed record matches `bytes`, and a fresh download link serves exactly them. */
    const assertServes = async (key: string, bytes: Buffer) => {
      const listed = await server.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', prefix: key },
      })
      const [file] = listed.json().files
      assert.equal(file.size, bytes.length)
      assert.equal(file.sha256, sha(bytes))
      const link = await server.request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key },
      })
      const download = await server.fetchSigned(link.json().url)
      assert.equal(download.status, 200)
      assert.equal(sha(download.body), sha(bytes), 'the download serves other bytes')
    }

    test('a PUT replayed to the upload URL after confirm changes nothing', async () => {
      const confirmed = randomBytes(64 * 1024)
      const info = await post(
        '/v1/files/upload-url',
        { filename: 'replay.bin', size: confirmed.length },
        201,
      )
      const first = await server.fetchSigned(info.uploadUrl, {
        method: 'PUT',
        headers: info.headers,
        body: confirmed,
      })
      assert.ok(first.status < 300, String(first.status))
      const file = await post(
        '/v1/files/upload-confirm',
        { file_key: info.fileKey, upload_id: info.uploadId, size: confirmed.length },
        200,
      )
      assert.equal(file.sha256, sha(confirmed))
      const afterConfirm = await blobNames()

      for (const replay of [randomBytes(64 * 1024), randomBytes(1000)]) {
        const again = await server.fetchSigned(info.uploadUrl, {
          method: 'PUT',
          headers: info.headers,
          body: replay,
        })
        // Local: the URL is single-use. S3 cannot refuse a valid presigned PUT; it lands on
        // the staged object, which no file refers to.
        if (backend.name.endsWith('+local')) assert.equal(again.status, 409)
        await assertServes('replay.bin', confirmed)
      }
      // Confirming again answers the same file; it does not adopt the replayed bytes.
      const repeat = await post(
        '/v1/files/upload-confirm',
        { file_key: info.fileKey, upload_id: info.uploadId, size: confirmed.length },
        200,
      )
      assert.equal(repeat.sha256, sha(confirmed))
      await assertServes('replay.bin', confirmed)
      // The replayed object is garbage: gc removes it, and the confirmed blob stays.
      await post('/v1/admin/gc', {}, 200)
      assert.deepEqual(await blobNames(), afterConfirm)
      await assertServes('replay.bin', confirmed)
    })

    test('a part PUT replayed after the session was joined changes nothing', async () => {
      const confirmed = randomBytes(5 * MiB + 10)
      const session = await post(
        '/v1/files/upload-url',
        { filename: 'parts.bin', size: confirmed.length, multipart: true, part_size: 5 * MiB },
        201,
      )
      const { parts } = await post(
        `/v1/files/uploads/${session.uploadId}/parts`,
        { part_numbers: [1, 2] },
        200,
      )
      const slice = (n: number) => confirmed.subarray((n - 1) * 5 * MiB, n * 5 * MiB)
      for (const part of parts) {
        const sent = await server.fetchSigned(part.url, {
          method: 'PUT',
          headers: part.headers,
          body: slice(part.part_number),
        })
        assert.equal(sent.status, 200)
      }
      await post(
        '/v1/files/upload-confirm',
        { file_key: session.fileKey, upload_id: session.uploadId, size: confirmed.length },
        200,
      )
      const replay = await server.fetchSigned(parts[1].url, {
        method: 'PUT',
        headers: parts[1].headers,
        body: randomBytes(10),
      })
      assert.ok(replay.status >= 400, `a replayed part was accepted: ${replay.status}`)
      await assertServes('parts.bin', confirmed)
    })
  })
}
