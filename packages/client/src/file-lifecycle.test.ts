import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fakeFetch, fileInfo, json } from '../test/fake-fetch.ts'
import { ApiError } from './errors.ts'
import { Granary } from './granary.ts'

const baseUrl = 'http://granary.test'
const job = (status: string, done: number, extra: Record<string, unknown> = {}) => ({
  job_id: 'job_1',
  kind: 'move',
  status,
  done,
  total: 3,
  error: null,
  ...extra,
})

describe('files.move and files.copy', () => {
  it('sends from, to and overwrite, and answers the moved file', async () => {
    const fetch = fakeFetch(() => json(fileInfo('final/a.vcf')))
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    const moved = await client.files.move('raw/a.vcf', 'final/a.vcf', { overwrite: true })
    const [request] = fetch.requests
    assert.equal(request?.url.pathname, '/v1/files/move')
    assert.deepEqual(JSON.parse(Buffer.from(request?.body ?? []).toString()), {
      workspace_id: 'ws_a',
      from: 'raw/a.vcf',
      to: 'final/a.vcf',
      overwrite: true,
    })
    assert.equal((moved as { key: string }).key, 'final/a.vcf')
  })

  it('waits for a folder job (202) and answers what the inline call would', async () => {
    const states = [job('running', 1), job('running', 2), job('done', 3)]
    const seen: number[] = []
    const fetch = fakeFetch((req) =>
      req.url.pathname === '/v1/files/move'
        ? json({ job_id: 'job_1' }, 202)
        : json(states.shift() ?? job('done', 3)),
    )
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    const result = await client.files.move('raw/', 'old/', {
      job: { intervalMs: 0, onProgress: (j) => seen.push(j.done ?? -1) },
    })
    assert.deepEqual(result, { moved: 3 })
    assert.deepEqual(seen, [1, 2, 3])
    assert.deepEqual(
      fetch.requests.map((r) => r.url.pathname),
      ['/v1/files/move', '/v1/jobs/job_1', '/v1/jobs/job_1', '/v1/jobs/job_1'],
    )
  })

  it("raises a failed job's error as an ApiError with its code", async () => {
    const failed = job('failed', 1, {
      kind: 'copy',
      error: { code: 'file_exists', message: 'old/a.vcf exists: pass overwrite.' },
    })
    const fetch = fakeFetch((req) =>
      req.url.pathname === '/v1/files/copy' ? json({ job_id: 'job_1' }, 202) : json(failed),
    )
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    await assert.rejects(client.files.copy('raw/', 'old/', { job: { intervalMs: 0 } }), (err) => {
      assert.ok(err instanceof ApiError)
      assert.equal(err.code, 'file_exists')
      assert.match(err.message, /old\/a\.vcf exists/)
      return true
    })
  })
})

describe('files.delete, versions and restore', () => {
  it('a recursive delete sends the folder as prefix and answers the count', async () => {
    const fetch = fakeFetch(() => json({ deleted: 2 }))
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    const result = await client.files.delete('raw/', { recursive: true })
    assert.deepEqual(result, { deleted: 2 })
    assert.deepEqual(Object.fromEntries(fetch.requests[0]?.url.searchParams ?? []), {
      workspace_id: 'ws_a',
      prefix: 'raw/',
      recursive: 'true',
    })
  })

  it('lists versions, restores one and signs a link to an older one', async () => {
    const version = { version_id: 'v1', size: 1, sha256: 'a', content_type: 't', created_at: 'x' }
    const fetch = fakeFetch((req) => {
      if (req.url.pathname === '/v1/files/versions') {
        return json({ versions: [{ ...version, is_current: true }] })
      }
      if (req.url.pathname === '/v1/files/download') return json({ url: '/x', expires_at: 'y' })
      return json(fileInfo('a.vcf'))
    })
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    assert.equal((await client.files.versions('a.vcf'))[0]?.version_id, 'v1')
    await client.files.restore('a.vcf', { versionId: 'v1' })
    const link = await client.files.downloadUrl('a.vcf', { versionId: 'v1' })
    assert.equal(link.url, `${baseUrl}/x`)
    const [listed, restored, signed] = fetch.requests
    assert.equal(listed?.url.searchParams.get('key'), 'a.vcf')
    assert.deepEqual(JSON.parse(Buffer.from(restored?.body ?? []).toString()), {
      workspace_id: 'ws_a',
      key: 'a.vcf',
      version_id: 'v1',
    })
    assert.equal(signed?.url.searchParams.get('version_id'), 'v1')
  })
})

describe('client.trash', () => {
  it('lists, restores elsewhere, purges one and empties the trash', async () => {
    const fetch = fakeFetch((req) =>
      req.url.pathname === '/v1/trash' && req.method === 'GET'
        ? json({ files: [], next_cursor: null })
        : req.method === 'DELETE'
          ? new Response(null, { status: 204 })
          : json(fileInfo('b.vcf')),
    )
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    await client.trash.list({ prefix: 'raw/', limit: 5 })
    await client.trash.restore('tr_1', { to: 'b.vcf' })
    await client.trash.purge('tr_1')
    await client.trash.purgeAll()
    const [list, restore, purge, all] = fetch.requests
    assert.equal(list?.url.search, '?workspace_id=ws_a&prefix=raw%2F&limit=5')
    assert.deepEqual(JSON.parse(Buffer.from(restore?.body ?? []).toString()), {
      workspace_id: 'ws_a',
      trash_id: 'tr_1',
      to: 'b.vcf',
    })
    assert.equal(purge?.url.search, '?workspace_id=ws_a&trash_id=tr_1')
    assert.equal(all?.url.search, '?workspace_id=ws_a&all=true')
  })
})
