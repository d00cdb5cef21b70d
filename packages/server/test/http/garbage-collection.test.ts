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

    test('an upload idle past its deadline expires at gc; activity defers it, up to the hard deadline', async () => {
      const HOUR = 3600_000
      let moved = 0
      const advance = (ms: number) => {
        server.clock.advance(ms)
        moved += ms
      }
      const start = (filename: string, multipart: boolean) =>
        server.request({
          method: 'POST',
          url: '/v1/files/upload-url',
          json: { workspace_id: 'ws_default', filename, size: 6 * 1024 * 1024, multipart },
        })
      const sign = (id: string) =>
        server.request({
          method: 'POST',
          url: `/v1/files/uploads/${id}/parts`,
          json: { workspace_id: 'ws_default', part_numbers: [1] },
        })
      const status = async (id: string) =>
        (
          await server.request({
            method: 'GET',
            url: `/v1/files/uploads/${id}`,
            query: { workspace_id: 'ws_default' },
          })
        ).json().status
      const gc = async () =>
        (await server.request({ method: 'POST', url: '/v1/admin/gc' })).json().expired_uploads
      const idle = (await start('idle.bin', false)).json()
      const busy = (await start('busy.bin', true)).json()
      try {
        advance(23 * HOUR)
        assert.equal((await sign(busy.uploadId)).statusCode, 200)
        advance(2 * HOUR) // 25 h: past the idle deadline (24 h) of the untouched upload
        assert.equal(await gc(), 1)
        assert.equal(await status(idle.uploadId), 'expired')
        assert.equal(await status(busy.uploadId), 'pending', 'signing parts pushed its deadline')
        const confirm = await server.request({
          method: 'POST',
          url: '/v1/files/upload-confirm',
          json: {
            ...{ workspace_id: 'ws_default', file_key: 'idle.bin', size: 6 * 1024 * 1024 },
            upload_id: idle.uploadId,
          },
        })
        assert.equal(confirm.statusCode, 404, confirm.body)
        assert.equal(confirm.json().error.code, 'upload_not_found')
        // Active every 23 h, the session lives on until its hard deadline (7 days)...
        for (advance(21 * HOUR); moved <= 161 * HOUR; advance(23 * HOUR)) {
          assert.equal((await sign(busy.uploadId)).statusCode, 200, `at ${moved / HOUR} h`)
        }
        // ...and not past it, though its last activity (161 h) was less than 24 h ago.
        assert.equal(moved, 184 * HOUR)
        assert.equal((await sign(busy.uploadId)).statusCode, 404)
        assert.equal(await gc(), 1)
        assert.equal(await status(busy.uploadId), 'expired')
      } finally {
        server.clock.advance(-moved)
      }
    })

    test('gc needs the admin scope', async () => {
      const key = await server.key(['files'], ['ws_default'])
      const response = await server.request({ method: 'POST', url: '/v1/admin/gc', as: key })
      assert.equal(response.statusCode, 403)
    })
  })
}
