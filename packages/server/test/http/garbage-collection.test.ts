import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

for (const backend of backendMatrix()) {
  describe(`garbage collection (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      // No grace period, so the blob the test leaves behind counts as an orphan at once.
      server = await startTestServer(backend, { GRANARY_ORPHAN_GRACE_S: '0' })
    })
    after(() => server.close())

    test('gc deletes blobs nothing refers to, and only those', async () => {
      const { blobs } = server.server.services
      // What a crash between storing the bytes and committing them leaves behind.
      const orphan = 'ws_default/0crashed00000/raw/lost.bin'
      await blobs.put(orphan, Readable.from([Buffer.alloc(4096, 7)]))
      assert.equal(
        (await uploadForm(server, { path: 'raw/', filename: 'kept.txt', content: 'kept' }))
          .statusCode,
        201,
      )
      const pending = (
        await server.request({
          method: 'POST',
          url: '/v1/files/upload-url',
          json: { workspace_id: 'ws_default', filename: 'pending.bin', size: 3 },
        })
      ).json()
      const put = await server.fetchSigned(pending.uploadUrl, {
        method: 'PUT',
        headers: pending.headers,
        body: Buffer.from('abc'),
      })
      assert.ok(put.status < 300)

      const gc = await server.request({ method: 'POST', url: '/v1/admin/gc' })
      assert.equal(gc.statusCode, 200, gc.body)
      assert.equal(gc.json().orphan_blobs, 1)
      assert.ok(gc.json().reclaimed_bytes >= 4096)
      assert.equal(await blobs.stat(orphan), undefined)

      const url = (
        await server.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { workspace_id: 'ws_default', key: 'raw/kept.txt' },
        })
      ).json().url
      assert.equal((await server.fetchSigned(url)).body.toString(), 'kept')
      const confirmed = await server.request({
        method: 'POST',
        url: '/v1/files/upload-confirm',
        json: {
          workspace_id: 'ws_default',
          file_key: 'pending.bin',
          size: 3,
          upload_id: pending.uploadId,
        },
      })
      assert.equal(confirmed.statusCode, 200, 'the open upload kept its bytes')
      assert.equal(
        (await server.request({ method: 'POST', url: '/v1/admin/gc' })).json().orphan_blobs,
        0,
      )
    })

    test('gc needs the admin scope', async () => {
      const key = await server.key(['files'], ['ws_default'])
      const response = await server.request({ method: 'POST', url: '/v1/admin/gc', as: key })
      assert.equal(response.statusCode, 403)
    })
  })
}
