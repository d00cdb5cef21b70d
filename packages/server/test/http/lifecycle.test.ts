/**
 * Issue 14 over HTTP, on every backend pair: workspace settings and usage, versions (list,
 * download, restore, delete) and the trash (delete, list, restore, purge, empty, the reaper).
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { backendMatrix } from '../support/backends.ts'
import { assertError } from '../support/http-assertions.ts'
import {
  createWorkspace,
  startTestServer,
  type TestServer,
  uploadForm,
} from '../support/test-server.ts'

const sha = (text: string) => createHash('sha256').update(text).digest('hex')
const DAY_MS = 86_400_000

for (const backend of backendMatrix()) {
  const isLocal = backend.name.endsWith('+local')
  describe(`versions, trash and settings (${backend.name})`, () => {
    let server: TestServer
    let n = 0
    before(async () => {
      server = await startTestServer(backend)
    })
    after(() => server.close())

    /** A fresh workspace per test, so counters and listings start empty. */
    const workspace = () => createWorkspace(server, `ws_life${n++}`)
    const upload = async (ws: string, key: string, content: string) => {
      const slash = key.lastIndexOf('/')
      const response = await uploadForm(server, {
        workspaceId: ws,
        path: key.slice(0, slash + 1),
        filename: key.slice(slash + 1),
        content,
      })
      assert.equal(response.statusCode, 201, response.body)
      return response.json()
    }
    const get = (url: string, query: Record<string, string>, as?: string) =>
      server.request({ method: 'GET', url, query, ...(as ? { as } : {}) })
    const json = async (response: Promise<LightMyRequestResponse>, status = 200) => {
      const answer = await response
      assert.equal(answer.statusCode, status, answer.body)
      return answer.json()
    }
    const download = async (ws: string, key: string, versionId?: string) => {
      const link = await json(
        get('/v1/files/download', {
          workspace_id: ws,
          key,
          ...(versionId ? { version_id: versionId } : {}),
        }),
      )
      return server.fetchSigned(link.url)
    }

    test('settings: defaults, PATCH by admin only, bad values refused', async () => {
      const ws = await workspace()
      const shown = await json(server.request({ method: 'GET', url: `/v1/workspaces/${ws}` }))
      assert.deepEqual(
        { trash_days: shown.trash_days, keep_versions: shown.keep_versions, id: shown.id },
        { trash_days: 7, keep_versions: 10, id: ws },
      )
      const patched = await json(
        server.request({
          method: 'PATCH',
          url: `/v1/workspaces/${ws}`,
          json: { keep_versions: 3 },
        }),
      )
      assert.equal(patched.keep_versions, 3)
      assert.equal(patched.trash_days, 7)
      for (const body of [
        { trash_days: -1 },
        { keep_versions: 0 },
        { trash_days: 1.5 },
        { keep: 1 },
        {},
      ]) {
        const refused = await server.request({
          method: 'PATCH',
          url: `/v1/workspaces/${ws}`,
          json: body,
        })
        assertError(refused, 400, 'invalid_request', JSON.stringify(body))
      }
      const reader = await server.key(['files'], [ws])
      assert.equal((await get(`/v1/workspaces/${ws}`, {}, reader)).statusCode, 200)
      const denied = await server.request({
        method: 'PATCH',
        url: `/v1/workspaces/${ws}`,
        json: { trash_days: 0 },
        as: reader,
      })
      assertError(denied, 403, 'insufficient_scope')
      assertError(await get('/v1/workspaces/ws_default', {}, reader), 404, 'workspace_not_found')
      assertError(await get('/v1/workspaces/ws_nope', {}), 404, 'workspace_not_found')
    })

    test('versions: list newest first, download an old one, restore it, delete one', async () => {
      const ws = await workspace()
      for (const content of ['one', 'two', 'three']) await upload(ws, 'v/a.txt', content)
      const listed = (await json(get('/v1/files/versions', { workspace_id: ws, key: 'v/a.txt' })))
        .versions
      assert.deepEqual(
        listed.map((v: { sha256: string; is_current: boolean }) => [v.sha256, v.is_current]),
        [
          [sha('three'), true],
          [sha('two'), false],
          [sha('one'), false],
        ],
      )
      const oldest = listed[2].version_id
      const old = await download(ws, 'v/a.txt', oldest)
      assert.equal(old.status, 200)
      assert.equal(old.body.toString(), 'one')
      const restored = await json(
        server.request({
          method: 'POST',
          url: '/v1/files/restore',
          json: { workspace_id: ws, key: 'v/a.txt', version_id: oldest },
        }),
      )
      assert.equal(restored.sha256, sha('one'))
      assert.equal((await download(ws, 'v/a.txt')).body.toString(), 'one')
      const after = (await json(get('/v1/files/versions', { workspace_id: ws, key: 'v/a.txt' })))
        .versions
      assert.equal(after.length, 4, 'a restore adds a version; history is kept')
      assertError(
        await server.request({
          method: 'DELETE',
          url: '/v1/files/versions',
          query: { workspace_id: ws, key: 'v/a.txt', version_id: after[0].version_id },
        }),
        409,
        'version_is_current',
      )
      const middle = after[2].version_id
      const removed = await server.request({
        method: 'DELETE',
        url: '/v1/files/versions',
        query: { workspace_id: ws, key: 'v/a.txt', version_id: middle },
      })
      assert.equal(removed.statusCode, 204, removed.body)
      assertError(
        await get('/v1/files/download', { workspace_id: ws, key: 'v/a.txt', version_id: middle }),
        404,
        'version_not_found',
      )
      assertError(
        await get('/v1/files/versions', { workspace_id: ws, key: 'v/none.txt' }),
        404,
        'file_not_found',
      )
      const reader = await server.key(['files:read'], [ws])
      const denied = await server.request({
        method: 'DELETE',
        url: '/v1/files/versions',
        query: { workspace_id: ws, key: 'v/a.txt', version_id: after[1].version_id },
        as: reader,
      })
      assertError(denied, 403, 'insufficient_scope')
    })

    test('keep_versions prunes the oldest; 1 keeps no history', async () => {
      const ws = await workspace()
      await server.request({
        method: 'PATCH',
        url: `/v1/workspaces/${ws}`,
        json: { keep_versions: 2 },
      })
      for (const content of ['1', '2', '3']) await upload(ws, 'p.txt', content)
      const versions = (await json(get('/v1/files/versions', { workspace_id: ws, key: 'p.txt' })))
        .versions
      assert.deepEqual(
        versions.map((v: { sha256: string }) => v.sha256),
        [sha('3'), sha('2')],
      )
      await server.request({
        method: 'PATCH',
        url: `/v1/workspaces/${ws}`,
        json: { keep_versions: 1 },
      })
      await upload(ws, 'one.txt', 'a')
      await upload(ws, 'one.txt', 'b')
      const single = await json(get('/v1/files/versions', { workspace_id: ws, key: 'one.txt' }))
      assert.equal(single.versions.length, 1)
    })

    test('trash: delete hides the file and stops its links; restore brings it back with its id', async () => {
      const ws = await workspace()
      const file = await upload(ws, 'raw/x.txt', 'precious')
      await upload(ws, 'raw/x.txt', 'precious v2')
      const link = await json(get('/v1/files/download', { workspace_id: ws, key: 'raw/x.txt' }))
      const deleted = await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: ws, key: 'raw/x.txt' },
      })
      assert.equal(deleted.statusCode, 204)
      assert.deepEqual((await json(get('/v1/files', { workspace_id: ws }))).files, [])
      // Granary serves only live files' blobs; an S3 presigned URL lives until it expires
      // (docs/api.md, "Trash"), since the bytes are kept for a restore.
      if (isLocal) assert.equal((await server.fetchSigned(link.url)).status, 404)
      const trash = await json(get('/v1/trash', { workspace_id: ws, prefix: 'raw/' }))
      assert.equal(trash.files.length, 1)
      const item = trash.files[0]
      assert.equal(item.key, 'raw/x.txt')
      assert.equal(item.file_id, file.id)
      assert.equal(Date.parse(item.purge_at) - Date.parse(item.deleted_at), 7 * DAY_MS)
      assert.equal(trash.next_cursor, null)
      const back = await json(
        server.request({
          method: 'POST',
          url: '/v1/trash/restore',
          json: { workspace_id: ws, trash_id: item.trash_id },
        }),
      )
      assert.equal(back.id, file.id)
      assert.equal((await download(ws, 'raw/x.txt')).body.toString(), 'precious v2')
      const versions = await json(get('/v1/files/versions', { workspace_id: ws, key: 'raw/x.txt' }))
      assert.equal(versions.versions.length, 2, 'versions come back with the file')
      assertError(
        await server.request({
          method: 'POST',
          url: '/v1/trash/restore',
          json: { workspace_id: ws, trash_id: item.trash_id },
        }),
        404,
        'trash_item_not_found',
      )
    })

    test('restore onto a taken key: 409 file_exists unless to or overwrite', async () => {
      const ws = await workspace()
      await upload(ws, 'k.txt', 'old')
      await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: ws, key: 'k.txt' },
      })
      await upload(ws, 'k.txt', 'new')
      const [item] = (await json(get('/v1/trash', { workspace_id: ws }))).files
      const restore = (body: Record<string, unknown>) =>
        server.request({
          method: 'POST',
          url: '/v1/trash/restore',
          json: { workspace_id: ws, trash_id: item.trash_id, ...body },
        })
      assertError(await restore({}), 409, 'file_exists')
      const moved = await json(restore({ to: 'restored/k.txt' }))
      assert.equal(moved.key, 'restored/k.txt')
      assert.equal((await download(ws, 'restored/k.txt')).body.toString(), 'old')
      assertError(await restore({}), 404, 'trash_item_not_found')
    })

    test('purge one, empty all (admin), and the reaper after purge_at', async () => {
      const ws = await workspace()
      for (const key of ['a.txt', 'b.txt', 'c.txt']) {
        await upload(ws, key, key)
        await server.request({
          method: 'DELETE',
          url: '/v1/files',
          query: { workspace_id: ws, key },
        })
      }
      const items = await json(get('/v1/trash', { workspace_id: ws, limit: '2' }))
      assert.equal(items.files.length, 2)
      assert.ok(items.next_cursor)
      const rest = await json(get('/v1/trash', { workspace_id: ws, cursor: items.next_cursor }))
      assert.deepEqual(
        rest.files.map((f: { key: string }) => f.key),
        ['c.txt'],
      )
      const purge = (query: Record<string, string>, as?: string) =>
        server.request({
          method: 'DELETE',
          url: '/v1/trash',
          query: { workspace_id: ws, ...query },
          ...(as ? { as } : {}),
        })
      assert.deepEqual(await json(purge({ trash_id: items.files[0].trash_id })), { purged: 1 })
      assertError(await purge({ trash_id: items.files[0].trash_id }), 404, 'trash_item_not_found')
      const worker = await server.key(['files'], [ws])
      assertError(await purge({ all: 'true' }, worker), 403, 'insufficient_scope')
      assertError(await purge({}), 400, 'invalid_request')
      assert.deepEqual(await json(purge({ all: 'true' })), { purged: 2 })

      await server.request({
        method: 'PATCH',
        url: `/v1/workspaces/${ws}`,
        json: { trash_days: 1 },
      })
      await upload(ws, 'old.txt', 'expiring')
      await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: ws, key: 'old.txt' },
      })
      const { services } = server.server
      assert.equal((await services.trash.purgeExpired()).purgedItems, 0)
      server.clock.advance(DAY_MS + 60_000)
      assert.ok((await services.trash.purgeExpired()).purgedItems >= 1)
      assert.deepEqual((await json(get('/v1/trash', { workspace_id: ws }))).files, [])
      const usage = await json(get(`/v1/workspaces/${ws}/usage`, {}))
      assert.deepEqual(usage, {
        files: 0,
        bytes: 0,
        versions: 0,
        version_bytes: 0,
        trash_files: 0,
        trash_bytes: 0,
      })
    })

    test('trash_days 0 deletes at once; usage counts files, versions and trash', async () => {
      const ws = await workspace()
      await upload(ws, 'u.txt', '12345')
      await upload(ws, 'u.txt', '1234567')
      await upload(ws, 'gone.txt', '123')
      await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: ws, key: 'gone.txt' },
      })
      assert.deepEqual(await json(get(`/v1/workspaces/${ws}/usage`, {})), {
        files: 1,
        bytes: 7,
        versions: 1,
        version_bytes: 5,
        trash_files: 1,
        trash_bytes: 3,
      })
      await server.request({
        method: 'PATCH',
        url: `/v1/workspaces/${ws}`,
        json: { trash_days: 0 },
      })
      await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: ws, key: 'u.txt' },
      })
      const usage = await json(get(`/v1/workspaces/${ws}/usage`, {}))
      assert.equal(usage.files, 0)
      assert.equal(usage.versions, 0, 'a delete at once takes the versions too')
      assert.equal(usage.trash_files, 1)
    })
  })
}
