import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

for (const backend of backendMatrix()) {
  describe(`workspace quotas (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend)
    })
    after(() => server.close())

    const settings = (json: object) =>
      server.request({ method: 'PATCH', url: '/v1/workspaces/ws_default', json })
    const upload = (filename: string, content: string) =>
      uploadForm(server, { path: 'quota/', filename, content })
    const usage = async () =>
      (await server.request({ method: 'GET', url: '/v1/workspaces/ws_default/usage' })).json()

    test('bytes: an upload past quota_bytes is refused with what it would need, and nothing is kept', async () => {
      const set = await settings({ quota_bytes: 100, quota_files: null })
      assert.equal(set.statusCode, 200, set.body)
      assert.equal(set.json().quota_bytes, 100)
      assert.equal(set.json().quota_files, null)
      assert.equal((await upload('a.txt', 'a'.repeat(60))).statusCode, 201)
      const before = await usage()

      const refused = await upload('b.txt', 'b'.repeat(50))
      assert.equal(refused.statusCode, 403)
      const error = refused.json().error
      assert.equal(error.code, 'quota_exceeded')
      assert.deepEqual(error.details, { resource: 'bytes', limit: 100, used: 60, requested: 50 })
      assert.match(error.message, /quota of 100 bytes/)
      assert.deepEqual(await usage(), before, 'nothing was stored')
      const listed = await server.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', prefix: 'quota/' },
      })
      assert.deepEqual(
        listed.json().files.map((f: { key: string }) => f.key),
        ['quota/a.txt'],
      )

      const large = await server.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: 'ws_default', filename: 'big.bin', size: 41 },
      })
      assert.equal(large.statusCode, 403, 'the declared size is checked before any byte')
      assert.equal(large.json().error.details.requested, 41)
      const fits = await server.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: 'ws_default', filename: 'small.bin', size: 40 },
      })
      assert.equal(fits.statusCode, 201, fits.body)
    })

    test('files: versions and the trash count; raising the quota lets the upload through', async () => {
      await settings({ quota_bytes: null, quota_files: 3, trash_days: 7, keep_versions: 10 })
      const start = await usage()
      const held = start.files + start.versions + start.trash_files
      await settings({ quota_files: held + 2 })
      assert.equal((await upload('v.txt', 'one')).statusCode, 201)
      assert.equal((await upload('v.txt', 'two')).statusCode, 201, 'the first becomes a version')
      const refused = await upload('w.txt', 'three')
      assert.equal(refused.statusCode, 403)
      assert.deepEqual(refused.json().error.details, {
        resource: 'files',
        limit: held + 2,
        used: held + 2,
        requested: 1,
      })
      await settings({ quota_files: null })
      assert.equal((await upload('w.txt', 'three')).statusCode, 201)
    })

    test('copies count like uploads (a file and a folder); moves add nothing', async () => {
      await settings({ quota_bytes: null, quota_files: null })
      assert.equal((await upload('c1.txt', 'x'.repeat(10))).statusCode, 201)
      assert.equal((await upload('c2.txt', 'y'.repeat(10))).statusCode, 201)
      const copy = (from: string, to: string) =>
        server.request({
          method: 'POST',
          url: '/v1/files/copy',
          json: { workspace_id: 'ws_default', from, to },
        })
      const start = await usage()
      // Versions and the trash count too (the test above left some).
      const held = start.bytes + start.version_bytes + start.trash_bytes
      await settings({ quota_bytes: held + 15 })

      assert.equal((await copy('quota/c1.txt', 'copies/c1.txt')).statusCode, 200)
      const refused = await copy('quota/c2.txt', 'copies/c2.txt')
      assert.equal(refused.statusCode, 403, refused.body)
      assert.deepEqual(refused.json().error.details, {
        resource: 'bytes',
        limit: held + 15,
        used: held + 10,
        requested: 10,
      })
      const folder = await copy('quota/', 'copied-folder/')
      assert.equal(folder.statusCode, 403, folder.body)
      assert.equal(folder.json().error.code, 'quota_exceeded')
      const moved = await server.request({
        method: 'POST',
        url: '/v1/files/move',
        json: { workspace_id: 'ws_default', from: 'copies/c1.txt', to: 'copies/moved.txt' },
      })
      assert.equal(moved.statusCode, 200, 'a move adds nothing to the usage')
      assert.equal((await usage()).bytes, start.bytes + 10, 'the refused copies stored nothing')
      await settings({ quota_bytes: null })
    })

    test('refused settings: negative quotas, and quotas past 2^53', async () => {
      for (const json of [{ quota_bytes: -1 }, { quota_files: 1e20 }, { quota_bytes: 2 ** 63 }]) {
        const refused = await settings(json)
        assert.equal(refused.statusCode, 400, JSON.stringify(json))
        assert.equal(refused.json().error.code, 'invalid_request')
      }
    })
  })
}

for (const backend of backendMatrix().filter((b) => b.name === 'postgres+local')) {
  describe(`quotas with two processes racing near the limit (${backend.name})`, () => {
    let first: TestServer
    let second: TestServer
    before(async () => {
      first = await startTestServer(backend)
      const { metadata } = first.server.services.config
      assert.equal(metadata.kind, 'postgres')
      second = await startTestServer(backend, { GRANARY_DATABASE_URL: metadata.url })
    })
    after(async () => {
      await second?.close()
      await first?.close()
    })

    test('two servers on one database never pass quota_files together', async () => {
      const set = await first.request({
        method: 'PATCH',
        url: '/v1/workspaces/ws_default',
        json: { quota_files: 5 },
      })
      assert.equal(set.statusCode, 200, set.body)
      const answers = await Promise.all(
        Array.from({ length: 16 }, (_, i) =>
          uploadForm(i % 2 ? first : second, {
            path: 'race/',
            filename: `${i}.txt`,
            content: `${i}`,
          }),
        ),
      )
      const statuses = answers.map((a) => a.statusCode)
      assert.equal(statuses.filter((s) => s === 201).length, 5, statuses.join(','))
      assert.ok(
        answers.every((a) => a.statusCode === 201 || a.json().error.code === 'quota_exceeded'),
      )
      const usage = (
        await first.request({ method: 'GET', url: '/v1/workspaces/ws_default/usage' })
      ).json()
      assert.equal(usage.files, 5)
    })
  })
}
