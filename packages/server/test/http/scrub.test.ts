import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

const sha = (text: string) => createHash('sha256').update(text).digest('hex')

for (const backend of backendMatrix()) {
  describe(`scrub (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend)
    })
    after(() => server.close())

    const upload = async (filename: string, content: string) => {
      const answer = await uploadForm(server, { path: 'scrub/', filename, content })
      assert.equal(answer.statusCode, 201, answer.body)
      return answer.json() as { key: string }
    }
    const blobOf = async (key: string) => {
      const file = await server.server.services.metadata.getFile('ws_default', key)
      assert.ok(file)
      return file.blobName
    }
    const scrub = async (json: object = {}) => {
      const started = await server.request({ method: 'POST', url: '/v1/admin/scrub', json })
      assert.equal(started.statusCode, 202, started.body)
      await server.server.services.scrub.settled()
      const status = await server.request({ method: 'GET', url: '/v1/admin/scrub' })
      assert.equal(status.statusCode, 200, status.body)
      return status.json().scrub
    }

    test('finds bytes changed behind its back and blobs gone missing, and nothing else', async () => {
      await upload('intact.txt', 'intact bytes')
      const tampered = await upload('tampered.txt', 'original bytes')
      const lost = await upload('lost.txt', 'bytes about to vanish')
      const { blobs } = server.server.services
      const tamperedBlob = await blobOf(tampered.key)
      await blobs.delete(tamperedBlob)
      await blobs.put(tamperedBlob, Readable.from([Buffer.from('rotten bytes!!')]))
      const lostBlob = await blobOf(lost.key)
      await blobs.delete(lostBlob)

      const run = await scrub({ max_bytes_per_second: 10 * 1024 * 1024 })
      assert.equal(run.status, 'finished')
      assert.equal(run.checked_files, 3)
      assert.equal(run.skipped_files, 0)
      assert.ok(run.checked_bytes >= 'intact bytes'.length + 'rotten bytes!!'.length)
      const byKey = Object.fromEntries(run.findings.map((f: { key: string }) => [f.key, f]))
      assert.deepEqual(Object.keys(byKey).sort(), ['scrub/lost.txt', 'scrub/tampered.txt'])
      assert.deepEqual(byKey['scrub/tampered.txt'], {
        workspace_id: 'ws_default',
        key: 'scrub/tampered.txt',
        blob_name: tamperedBlob,
        problem: 'checksum_mismatch',
        expected_sha256: sha('original bytes'),
        actual_sha256: sha('rotten bytes!!'),
      })
      assert.equal(byKey['scrub/lost.txt'].problem, 'blob_missing')
      assert.equal(byKey['scrub/lost.txt'].actual_sha256, null)
      await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', key: lost.key },
      })
      await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', key: tampered.key },
      })
    })

    test('a sample reads only part of the files; one run at a time; bad settings are refused', async () => {
      const sampled = await scrub({ sample_percent: 0.000001 })
      assert.equal(sampled.status, 'finished')
      assert.equal(sampled.checked_files + sampled.skipped_files >= 1, true)
      assert.equal(sampled.checked_files, 0)

      await upload('slow.bin', 'x'.repeat(64 * 1024))
      // 1 KiB/s over 64 KiB: still running when the second call comes.
      const first = await server.request({
        method: 'POST',
        url: '/v1/admin/scrub',
        json: { max_bytes_per_second: 1024 },
      })
      assert.equal(first.statusCode, 202)
      const second = await server.request({ method: 'POST', url: '/v1/admin/scrub', json: {} })
      assert.equal(second.statusCode, 409)
      assert.equal(second.json().error.code, 'scrub_running')
      assert.match(second.json().error.message, /GET \/v1\/admin\/scrub/)
      const status = await server.request({ method: 'GET', url: '/v1/admin/scrub' })
      assert.equal(status.json().scrub.id, first.json().id)
      assert.equal(status.json().scrub.status, 'running')

      for (const json of [
        { sample_percent: 0 },
        { sample_percent: 101 },
        { max_bytes_per_second: 1 },
      ]) {
        const refused = await server.request({ method: 'POST', url: '/v1/admin/scrub', json })
        assert.equal(refused.statusCode, 400, JSON.stringify(json))
        assert.equal(refused.json().error.code, 'invalid_request')
      }
    })
  })
}
