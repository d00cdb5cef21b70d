/**
 * The data-lifecycle calls of the client (issue 14) against the real app in-process, on every
 * backend the machine has: move, copy, and a folder move run as a job (GRANARY_JOB_THRESHOLD=2).
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
    const text = async (key: string) => {
      const { body } = await client.files.downloadStream(key)
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
  })
}
