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
