/**
 * Issue #14: POST /v1/files/move and /v1/files/copy, of a file or a folder, and the jobs that
 * run big folders (GET /v1/jobs/{id}), over the backend matrix. The job threshold is lowered to 3
 * files (batches of 2) so a handful of files exercises the job path.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { randomId } from '../../src/domain/ids.ts'
import { backendMatrix } from '../support/backends.ts'
import { assertError, guardedRequest } from '../support/http-assertions.ts'
import {
  startTestServer,
  type TestServer,
  uploadForm,
  withoutHistory,
} from '../support/test-server.ts'

const WS = 'ws_default'

for (const backend of backendMatrix()) {
  describe(`move and copy (${backend.name})`, () => {
    let server: TestServer
    let request: ReturnType<typeof guardedRequest>
    before(async () => {
      server = await startTestServer(backend, {
        GRANARY_JOB_THRESHOLD: '3',
        GRANARY_JOB_BATCH_SIZE: '2',
      })
      request = guardedRequest(server)
      // Bytes freed at once (no trash, no history), so blob counts show what moves free.
      await withoutHistory(server, WS)
      const other = await request({
        method: 'POST',
        url: '/v1/workspaces',
        json: { id: 'ws_other', name: 'Other lab' },
      })
      assert.equal(other.statusCode, 201, other.body)
    })
    after(() => server.close())

    const upload = async (key: string, content: string) => {
      const slash = key.lastIndexOf('/')
      const response = await uploadForm(server, {
        filename: key.slice(slash + 1),
        content,
        ...(slash > 0 ? { path: key.slice(0, slash) } : {}),
        fields: { overwrite: 'true' },
      })
      assert.equal(response.statusCode, 201, response.body)
      return response.json()
    }
    const post = (op: 'move' | 'copy', body: Record<string, unknown>, as?: string) =>
      request({
        method: 'POST',
        url: `/v1/files/${op}`,
        json: { workspace_id: WS, ...body },
        ...(as ? { as } : {}),
      })
    const bytesOf = async (key: string) => {
      const response = await request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: WS, key },
      })
      if (response.statusCode === 404) return undefined
      assert.equal(response.statusCode, 200, response.body)
      const got = await server.fetchSigned(response.json().url)
      assert.equal(got.status, 200)
      return got.body.toString()
    }
    const keysUnder = async (prefix: string) => {
      const response = await request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: WS, prefix, limit: '1000' },
      })
      return response.json().files.map((file: { key: string }) => file.key)
    }
    const blobCount = async () => {
      let n = 0
      for await (const _ of server.server.services.blobs.listBlobs()) n++
      return n
    }

    test('move: same id, same bytes at the new key, nothing at the old one, no byte written', async () => {
      const file = await upload('mv/a.vcf', 'alpha')
      const blobs = await blobCount()
      const response = await post('move', { from: 'mv/a.vcf', to: 'done/b.vcf' })
      assert.equal(response.statusCode, 200, response.body)
      const moved = response.json()
      assert.equal(moved.id, file.id)
      assert.equal(moved.key, 'done/b.vcf')
      assert.equal(moved.name, 'b.vcf')
      assert.equal(moved.sha256, file.sha256)
      assert.equal(await bytesOf('done/b.vcf'), 'alpha')
      assert.equal(await bytesOf('mv/a.vcf'), undefined)
      assert.equal(await blobCount(), blobs)
    })

    test('each file moved or copied is in the audit trail, folders and jobs too', async () => {
      await upload('au/one', '1')
      await post('move', { from: 'au/one', to: 'au/two' })
      await post('copy', { from: 'au/two', to: 'au/three' })
      for (let i = 0; i < 4; i++) await upload(`au/big/${i}`, `${i}`)
      const job = await post('copy', { from: 'au/big/', to: 'au/big2/' })
      assert.equal(job.statusCode, 202)
      await server.server.services.jobs.settled()
      const events = await server.server.services.metadata.listEvents({
        actions: ['file.move', 'file.copy'],
        keyPrefix: 'au/',
        order: 'asc',
        limit: 100,
      })
      assert.deepEqual(
        events.map((event) => `${event.action} ${event.key}`),
        [
          'file.move au/two',
          'file.copy au/three',
          ...[0, 1, 2, 3].map((i) => `file.copy au/big2/${i}`),
        ],
      )
      assert.ok(events.every((event) => event.actorKeyId !== null && event.outcome === 'ok'))
    })

    test('move to a folder key keeps the name', async () => {
      await upload('mv/keep.txt', 'k')
      const response = await post('move', { from: 'mv/keep.txt', to: 'archive/' })
      assert.equal(response.json().key, 'archive/keep.txt')
    })

    test('copy: a new id sharing the bytes; no byte is copied', async () => {
      const file = await upload('cp/src.txt', 'shared bytes')
      const blobs = await blobCount()
      const response = await post('copy', { from: 'cp/src.txt', to: 'cp/dst.txt' })
      assert.equal(response.statusCode, 200, response.body)
      const copy = response.json()
      assert.notEqual(copy.id, file.id)
      assert.equal(copy.sha256, file.sha256)
      assert.equal(await bytesOf('cp/dst.txt'), 'shared bytes')
      assert.equal(await bytesOf('cp/src.txt'), 'shared bytes')
      assert.equal(await blobCount(), blobs)
    })

    test('deleting or replacing one of two files sharing bytes never frees the other', async () => {
      await upload('share/one.txt', 'precious')
      assert.equal(
        (await post('copy', { from: 'share/one.txt', to: 'share/two.txt' })).statusCode,
        200,
      )
      assert.equal(
        (await post('copy', { from: 'share/one.txt', to: 'share/three.txt' })).statusCode,
        200,
      )
      const deleted = await request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: WS, key: 'share/one.txt' },
      })
      assert.equal(deleted.statusCode, 204)
      await upload('share/two.txt', 'new content')
      await server.server.services.deletions.retryAll()
      assert.equal(await bytesOf('share/three.txt'), 'precious')
      assert.equal(await bytesOf('share/two.txt'), 'new content')
      // The last one going frees the bytes: the blob store is back to what files refer to.
      const before = await blobCount()
      await request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: WS, key: 'share/three.txt' },
      })
      assert.equal(await blobCount(), before - 1)
    })

    test('errors: missing, taken (unless overwrite), folder into itself, bad keys', async () => {
      assertError(await post('move', { from: 'err/none', to: 'err/x' }), 404, 'file_not_found')
      await upload('err/a', 'a')
      await upload('err/b', 'b')
      assertError(await post('move', { from: 'err/a', to: 'err/b' }), 409, 'file_exists')
      assertError(await post('copy', { from: 'err/a', to: 'err/b' }), 409, 'file_exists')
      assert.equal(await bytesOf('err/b'), 'b')
      const over = await post('move', { from: 'err/a', to: 'err/b', overwrite: true })
      assert.equal(over.statusCode, 200, over.body)
      assert.equal(await bytesOf('err/b'), 'a')
      assertError(await post('move', { from: 'err/', to: 'err/sub/' }), 400, 'invalid_move')
      assertError(await post('move', { from: 'err/', to: 'elsewhere' }), 400, 'invalid_move')
      assertError(await post('copy', { from: 'err/b', to: 'err/b' }), 400, 'invalid_move')
      assertError(await post('move', { from: 'err/b', to: '../x' }), 400, 'invalid_key')
      assertError(await post('move', { from: 'err/b', to: 'a//b' }), 400, 'invalid_key')
      assertError(await post('move', { from: 'err/b', to: 'x', extra: 1 }), 400, 'invalid_request')
      assertError(await post('move', { from: 'nothing/', to: 'x/' }), 404, 'file_not_found')
    })

    test('scopes and workspaces: move needs write and delete, copy read and write', async () => {
      await upload('auth/f', 'f')
      const writeOnly = await server.key(['files:write'], [WS])
      const readWrite = await server.key(['files:read', 'files:write'], [WS])
      assertError(
        await post('move', { from: 'auth/f', to: 'auth/g' }, writeOnly),
        403,
        'insufficient_scope',
      )
      assertError(
        await post('copy', { from: 'auth/f', to: 'auth/g' }, writeOnly),
        403,
        'insufficient_scope',
      )
      assert.equal(
        (await post('copy', { from: 'auth/f', to: 'auth/g' }, readWrite)).statusCode,
        200,
      )
      const other = await server.key(['files'], ['ws_other'])
      assertError(
        await post('move', { from: 'auth/f', to: 'auth/h' }, other),
        404,
        'workspace_not_found',
      )
    })

    test('a folder of up to the threshold moves in one transaction, keeping ids', async () => {
      const ids = new Map<string, string>()
      for (const key of ['fold/a', 'fold/b/c', 'fold/b/d'])
        ids.set(key, (await upload(key, key)).id)
      await upload('folder-sibling', 's')
      const response = await post('move', { from: 'fold/', to: 'moved/fold/' })
      assert.equal(response.statusCode, 200, response.body)
      assert.deepEqual(response.json(), { moved: 3 })
      assert.deepEqual(await keysUnder('fold/'), [])
      assert.deepEqual(await keysUnder('moved/fold/'), [
        'moved/fold/a',
        'moved/fold/b/c',
        'moved/fold/b/d',
      ])
      assert.equal(await bytesOf('moved/fold/b/c'), 'fold/b/c')
      const listed = (
        await request({
          method: 'GET',
          url: '/v1/files',
          query: { workspace_id: WS, prefix: 'moved/fold/' },
        })
      ).json().files
      for (const file of listed) assert.equal(file.id, ids.get(file.key.replace('moved/', '')))
      assert.deepEqual(await keysUnder('folder-sibling'), ['folder-sibling'])
    })

    test('a folder copy shares every blob', async () => {
      for (const key of ['cf/1', 'cf/2']) await upload(key, key)
      const blobs = await blobCount()
      const response = await post('copy', { from: 'cf/', to: 'cf-copy/' })
      assert.deepEqual(response.json(), { copied: 2 })
      assert.equal(await bytesOf('cf-copy/2'), 'cf/2')
      assert.equal(await blobCount(), blobs)
    })

    test('a folder over the threshold runs as a job: 202, then progress until done', async () => {
      for (let i = 0; i < 5; i++) await upload(`big/${i}.txt`, `file ${i}`)
      const response = await post('move', { from: 'big/', to: 'big-moved/' })
      assert.equal(response.statusCode, 202, response.body)
      const { job_id } = response.json()
      assert.match(job_id, /^job_/)
      await server.server.services.jobs.settled()
      const job = await request({ method: 'GET', url: `/v1/jobs/${job_id}` })
      assert.equal(job.statusCode, 200, job.body)
      assert.deepEqual(
        { ...(job.json() as object), created_at: undefined, updated_at: undefined },
        {
          job_id,
          workspace_id: WS,
          kind: 'move',
          from: 'big/',
          to: 'big-moved/',
          overwrite: false,
          status: 'done',
          done: 5,
          total: 5,
          error: null,
          created_at: undefined,
          updated_at: undefined,
        },
      )
      assert.deepEqual(await keysUnder('big/'), [])
      assert.equal((await keysUnder('big-moved/')).length, 5)
      assert.equal(await bytesOf('big-moved/4.txt'), 'file 4')
    })

    test('a copy job, and a job another workspace cannot see', async () => {
      for (let i = 0; i < 4; i++) await upload(`bigc/${i}`, `c${i}`)
      const response = await post('copy', { from: 'bigc/', to: 'bigc2/' })
      assert.equal(response.statusCode, 202, response.body)
      const { job_id } = response.json()
      await server.server.services.jobs.settled()
      const job = (await request({ method: 'GET', url: `/v1/jobs/${job_id}` })).json()
      assert.equal(job.status, 'done')
      assert.equal(job.done, 4)
      assert.equal((await keysUnder('bigc/')).length, 4)
      assert.equal((await keysUnder('bigc2/')).length, 4)
      const other = await server.key(['files'], ['ws_other'])
      assertError(
        await request({ method: 'GET', url: `/v1/jobs/${job_id}`, as: other }),
        404,
        'job_not_found',
      )
      assertError(await request({ method: 'GET', url: '/v1/jobs/job_nope' }), 404, 'job_not_found')
      assertError(await request({ method: 'GET', url: '/v1/jobs/..%2f' }), 404, 'job_not_found')
    })

    test('a running job left by a stopped process is resumed and finishes', async () => {
      for (let i = 0; i < 5; i++) await upload(`left/${i}`, `l${i}`)
      const now = new Date(server.clock.now()).toISOString()
      const id = `job_${randomId()}`
      const { metadata, jobs } = server.server.services
      await metadata.createJob({
        id,
        workspaceId: WS,
        kind: 'move',
        from: 'left/',
        to: 'right/',
        overwrite: false,
        status: 'running',
        total: 5,
        done: 0,
        cursor: null,
        error: null,
        audit: null,
        createdAt: now,
        updatedAt: now,
      })
      // One batch ran before the "crash".
      await metadata.runJobBatch(id, { limit: 2, now })
      assert.equal(await jobs.resumeAll(), 1)
      await jobs.settled()
      const job = (await request({ method: 'GET', url: `/v1/jobs/${id}` })).json()
      assert.equal(job.status, 'done')
      assert.equal(job.done, 5)
      assert.deepEqual(await keysUnder('left/'), [])
      assert.equal((await keysUnder('right/')).length, 5)
    })

    test('a job stops as failed on a taken key; what moved stays moved', async () => {
      for (let i = 0; i < 5; i++) await upload(`fj/${i}`, `f${i}`)
      await upload('fj-to/3', 'taken')
      const response = await post('move', { from: 'fj/', to: 'fj-to/' })
      const { job_id } = response.json()
      await server.server.services.jobs.settled()
      const job = (await request({ method: 'GET', url: `/v1/jobs/${job_id}` })).json()
      assert.equal(job.status, 'failed')
      assert.equal(job.error.code, 'file_exists')
      assert.equal(job.done, 2)
      assert.equal(await bytesOf('fj-to/3'), 'taken')
      assert.deepEqual(await keysUnder('fj/'), ['fj/2', 'fj/3', 'fj/4'])
    })
  })
}
