/**
 * The data-lifecycle calls of the client (issue 14) against the real app in-process, on every
 * backend the machine has: versions, restore, move, copy, folder delete, the trash, workspace
 * settings and usage, and a folder move run as a job (GRANARY_JOB_THRESHOLD=2).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../../server/test/support/backends.ts'
import { injectFetch } from '../../server/test/support/inject-fetch.ts'
import {
  ADMIN_KEY,
  PUBLIC_URL,
  startTestServer,
  type TestServer,
} from '../../server/test/support/test-server.ts'
import { ApiError } from './errors.ts'
import { Granary } from './granary.ts'

async function rejectsWith(promise: Promise<unknown>, status: number, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error))
    assert.equal(error.status, status)
    assert.equal(error.code, code)
    return true
  })
}

for (const backend of backendMatrix()) {
  describe(`the client's lifecycle calls against the app (${backend.name})`, () => {
    let server: TestServer
    let client: Granary
    const put = (key: string, text: string) => {
      const slash = key.lastIndexOf('/')
      return client.files.upload(new Blob([text]), {
        filename: key.slice(slash + 1),
        path: key.slice(0, slash + 1) || undefined,
      })
    }
    const text = async (key: string, versionId?: string) => {
      const { body } = await client.files.downloadStream(key, { versionId })
      return new Response(body).text()
    }
    before(async () => {
      server = await startTestServer(backend, { GRANARY_JOB_THRESHOLD: '2' })
      const fetch = injectFetch(server.app, PUBLIC_URL)
      client = new Granary({
        baseUrl: PUBLIC_URL,
        apiKey: ADMIN_KEY,
        workspaceId: 'ws_default',
        fetch,
      })
    })
    after(() => server?.close())

    test('versions: a replace keeps the old content; download and restore it', async () => {
      await put('v/notes.txt', 'first')
      const current = await put('v/notes.txt', 'second')
      const versions = await client.files.versions('v/notes.txt')
      assert.deepEqual(
        versions.map((v) => [v.size, v.is_current]),
        [
          [6, true],
          [5, false],
        ],
      )
      const old = versions[1]?.version_id ?? ''
      assert.equal(await text('v/notes.txt', old), 'first')
      const restored = await client.files.restore('v/notes.txt', { versionId: old })
      assert.equal(restored.id, current.id)
      assert.equal(await text('v/notes.txt'), 'first')
      assert.equal((await client.files.versions('v/notes.txt')).length, 3)
      await rejectsWith(
        client.files.restore('v/notes.txt', { versionId: 'nope' }),
        404,
        'version_not_found',
      )
    })

    test('move keeps the id, copy gets a new one; a taken target is file_exists', async () => {
      const file = await put('m/a.txt', 'a')
      const moved = await client.files.move('m/a.txt', 'm/b.txt')
      assert.equal((moved as { id: string }).id, file.id)
      const copy = await client.files.copy('m/b.txt', 'm/c.txt')
      assert.notEqual((copy as { id: string }).id, file.id)
      assert.equal(await text('m/c.txt'), 'a')
      await rejectsWith(client.files.move('m/b.txt', 'm/c.txt'), 409, 'file_exists')
      await client.files.move('m/b.txt', 'm/c.txt', { overwrite: true })
      assert.deepEqual(
        (await client.files.list({ prefix: 'm/' })).files.map((f) => f.key),
        ['m/c.txt'],
      )
    })

    test('a folder over the job threshold moves as a job, waited for transparently', async () => {
      for (const name of ['1', '2', '3']) await put(`big/${name}.txt`, name)
      const seen: string[] = []
      const result = await client.files.move('big/', 'moved/', {
        job: { intervalMs: 10, onProgress: (job) => seen.push(job.status) },
      })
      assert.deepEqual(result, { moved: 3 })
      assert.equal(seen.at(-1), 'done')
      assert.deepEqual(
        (await client.files.list({ prefix: 'moved/' })).files.map((f) => f.key),
        ['moved/1.txt', 'moved/2.txt', 'moved/3.txt'],
      )
    })

    test('delete goes to the trash; restore puts it back, or elsewhere on file_exists', async () => {
      const file = await put('t/a.txt', 'gone')
      await client.files.delete('t/a.txt')
      await rejectsWith(client.files.downloadUrl('t/a.txt'), 404, 'file_not_found')
      const { files } = await client.trash.list({ prefix: 't/' })
      const item = files.find((f) => f.key === 't/a.txt')
      assert.ok(item, JSON.stringify(files))
      await put('t/a.txt', 'new')
      await rejectsWith(client.trash.restore(item.trash_id), 409, 'file_exists')
      await client.trash.restore(item.trash_id, { to: 't/a.old.txt' })
      assert.equal(await text('t/a.old.txt'), 'gone')
      assert.equal((await client.files.list({ prefix: 't/a.old.txt' })).files[0]?.id, file.id)
    })

    test('a folder deleted with recursive comes back together; purge and purge all', async () => {
      await put('f/x.txt', 'x')
      await put('f/deep/y.txt', 'y')
      const folder = await client.files.delete('f/', { recursive: true })
      assert.equal(folder.deleted, 2)
      assert.equal((await client.files.list({ prefix: 'f/' })).files.length, 0)
      const items = (await client.trash.list({ prefix: 'f/' })).files
      assert.equal(items.length, 2)
      assert.equal(items[0]?.group_id, items[1]?.group_id)
      const { files } = await client.trash.restoreGroup(items[0]?.group_id ?? '')
      assert.equal(files.length, 2)
      assert.deepEqual(
        (await client.files.list({ prefix: 'f/' })).files.map((f) => f.key),
        ['f/deep/y.txt', 'f/x.txt'],
      )
      await client.files.delete('f/x.txt')
      const [x] = (await client.trash.list({ prefix: 'f/x.txt' })).files
      assert.deepEqual(await client.trash.purge(x?.trash_id ?? ''), { purged: 1 })
      await rejectsWith(client.trash.restore(x?.trash_id ?? ''), 404, 'trash_item_not_found')
      await client.files.delete('f/deep/y.txt')
      assert.ok((await client.trash.purgeAll()).purged >= 1)
      assert.deepEqual((await client.trash.list()).files, [])
    })

    test('workspace settings and usage', async () => {
      const ws = await client.workspaces.create({ id: 'ws_life', name: 'Lifecycle' })
      const settings = await client.workspaces.get(ws.id)
      assert.equal(settings.trash_days, 7)
      assert.equal(settings.keep_versions, 10)
      const changed = await client.workspaces.update(ws.id, { trashDays: 0, keepVersions: 1 })
      assert.deepEqual([changed.trash_days, changed.keep_versions], [0, 1])
      const other = { workspaceId: ws.id }
      await client.files.upload(new Blob(['12345']), { ...other, filename: 'u.txt' })
      await client.files.upload(new Blob(['123']), { ...other, filename: 'u.txt' })
      assert.equal((await client.files.versions('u.txt', other)).length, 1)
      await client.files.delete('u.txt', other)
      assert.deepEqual((await client.trash.list(other)).files, [])
      await client.files.upload(new Blob(['1234']), { ...other, filename: 'w.txt' })
      const usage = await client.workspaces.usage(ws.id)
      assert.equal(usage.files, 1)
      assert.equal(usage.bytes, 4)
      assert.equal(usage.version_bytes, 0)
      assert.equal(usage.trash_bytes, 0)
    })
  })
}
