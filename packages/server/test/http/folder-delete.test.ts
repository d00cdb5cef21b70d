/**
 * DELETE /v1/files?prefix=<folder/>&recursive=true over HTTP, on every backend pair: the folder
 * goes to the trash as one group, restore-group brings it back, trash_days 0 deletes at once.
 */
import assert from 'node:assert/strict'
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

const FOLDER = ['raw/a.txt', 'raw/b.txt', 'raw/c.txt', 'raw/sub/d.txt']

for (const backend of backendMatrix()) {
  const isLocal = backend.name.endsWith('+local')
  describe(`folder delete (${backend.name})`, () => {
    let server: TestServer
    let n = 0
    before(async () => {
      server = await startTestServer(backend)
    })
    after(() => server.close())

    const workspace = () => createWorkspace(server, `ws_fdel${n++}`)
    const upload = async (ws: string, key: string) => {
      const slash = key.lastIndexOf('/')
      const response = await uploadForm(server, {
        workspaceId: ws,
        path: key.slice(0, slash + 1),
        filename: key.slice(slash + 1),
        content: `content of ${key}`,
      })
      assert.equal(response.statusCode, 201, response.body)
    }
    const json = async (response: Promise<LightMyRequestResponse>, status = 200) => {
      const answer = await response
      assert.equal(answer.statusCode, status, answer.body)
      return answer.json()
    }
    const keys = async (ws: string, url = '/v1/files') => {
      const page = await json(server.request({ method: 'GET', url, query: { workspace_id: ws } }))
      return page.files.map((file: { key: string }) => file.key).sort()
    }
    const remove = (query: Record<string, string>) =>
      server.request({ method: 'DELETE', url: '/v1/files', query })

    test('a folder with a sub-folder goes to the trash as one group; restore-group brings it back', async () => {
      const ws = await workspace()
      const other = await workspace()
      for (const key of [...FOLDER, 'rawness.txt', 'keep/e.txt']) await upload(ws, key)
      await upload(other, 'raw/a.txt')
      const link = await json(
        server.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { workspace_id: ws, key: 'raw/sub/d.txt' },
        }),
      )
      const deleted = await json(remove({ workspace_id: ws, prefix: 'raw/', recursive: 'true' }))
      assert.equal(deleted.deleted, 4)
      assert.match(deleted.group_id, /^grp_/)
      assert.deepEqual(await keys(ws), ['keep/e.txt', 'rawness.txt'])
      assert.deepEqual(await keys(other), ['raw/a.txt'], 'another workspace is untouched')
      const audit = await json(
        server.request({
          method: 'GET',
          url: '/v1/audit',
          query: { workspace_id: ws, action: 'file.delete', limit: '100' },
        }),
      )
      const audited = audit.events.map((event: { key: string }) => event.key).sort()
      assert.deepEqual(audited, FOLDER, 'one file.delete event per file')
      if (isLocal) assert.equal((await server.fetchSigned(link.url)).status, 404)
      const trash = await json(
        server.request({ method: 'GET', url: '/v1/trash', query: { workspace_id: ws } }),
      )
      assert.deepEqual(trash.files.map((item: { key: string }) => item.key).sort(), FOLDER)
      const groups = new Set(trash.files.map((item: { group_id: string }) => item.group_id))
      assert.deepEqual([...groups], [deleted.group_id])
      const restored = await json(
        server.request({
          method: 'POST',
          url: '/v1/trash/restore-group',
          json: { workspace_id: ws, group_id: deleted.group_id },
        }),
      )
      assert.equal(restored.files.length, 4)
      assert.deepEqual(await keys(ws), [...FOLDER, 'keep/e.txt', 'rawness.txt'].sort())
      assert.deepEqual(await keys(ws, '/v1/trash'), [])
    })

    test('trash_days 0 deletes the folder at once', async () => {
      const ws = await workspace()
      for (const key of FOLDER) await upload(ws, key)
      await json(
        server.request({ method: 'PATCH', url: `/v1/workspaces/${ws}`, json: { trash_days: 0 } }),
      )
      const deleted = await json(remove({ workspace_id: ws, prefix: 'raw/', recursive: 'true' }))
      assert.deepEqual(deleted, { deleted: 4, group_id: null })
      assert.deepEqual(await keys(ws), [])
      assert.deepEqual(await keys(ws, '/v1/trash'), [])
      const usage = await json(server.request({ method: 'GET', url: `/v1/workspaces/${ws}/usage` }))
      assert.equal(usage.files, 0)
      assert.equal(usage.trash_files, 0)
    })

    test('bad combinations and an empty folder are refused; nothing is deleted', async () => {
      const ws = await workspace()
      for (const key of FOLDER) await upload(ws, key)
      const refused: Array<[Record<string, string>, number, string, RegExp]> = [
        [{ prefix: 'raw/' }, 400, 'invalid_request', /recursive=true/],
        [{ prefix: 'raw/', recursive: 'false' }, 400, 'invalid_request', /recursive=true/],
        [{ prefix: 'raw', recursive: 'true' }, 400, 'invalid_request', /ends in '\/'/],
        [
          { key: 'raw/a.txt', prefix: 'raw/', recursive: 'true' },
          400,
          'invalid_request',
          /not both/,
        ],
        [{ key: 'raw/a.txt', recursive: 'true' }, 400, 'invalid_request', /prefix/],
        [{}, 400, 'invalid_request', /key/],
        [{ prefix: 'none/', recursive: 'true' }, 404, 'file_not_found', /none\//],
      ]
      for (const [query, status, code, message] of refused) {
        const error = assertError(
          await remove({ workspace_id: ws, ...query }),
          status,
          code,
          JSON.stringify(query),
        )
        assert.match(error.message, message)
      }
      assert.deepEqual(await keys(ws), FOLDER)
      const reader = await server.key(['files:read'], [ws])
      const denied = await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: ws, prefix: 'raw/', recursive: 'true' },
        as: reader,
      })
      assertError(denied, 403, 'insufficient_scope')
      assert.deepEqual(await keys(ws), FOLDER)
    })
  })
}
