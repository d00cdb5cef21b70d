/**
 * The move, copy and job part of the MetadataStore contract, run by each dialect's test file
 * beside describeMetadataStore: `describeFileMoves('sqlite', make)`.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { isAppError } from '../domain/errors.ts'
import { newFileId, randomId } from '../domain/ids.ts'
import type { JobRecord, MoveRequest } from '../domain/move-ports.ts'
import type { MetadataStore } from '../domain/ports.ts'
import { fileRecord, type MetadataStoreFixture } from './metadata-store-contract.ts'

const now = () => new Date().toISOString()

export function describeFileMoves(name: string, make: () => Promise<MetadataStoreFixture>): void {
  describe(`MetadataStore contract, moves and jobs: ${name}`, () => {
    let fixture: MetadataStoreFixture
    let store: MetadataStore
    let ws = ''
    const keys = async () =>
      (await store.listFiles({ workspaceId: ws, limit: 1000 })).map((file) => file.key)
    const put = (key: string, extra = {}) =>
      store.putFile(fileRecord(ws, key, extra), { overwrite: true })
    const request = (from: string, to: string, overwrite = false): MoveRequest => ({
      workspaceId: ws,
      from,
      to,
      overwrite,
      now: now(),
    })

    before(async () => {
      fixture = await make()
      store = fixture.store
    })
    after(() => fixture.teardown())

    test('moveFile changes the key only: same id and blob', async () => {
      ws = `ws_${randomId(8)}`
      await store.createWorkspace({ id: ws, name: 'Moves', createdAt: now() })
      const { file } = await put('raw/a.vcf')
      const moved = await store.moveFile(request('raw/a.vcf', 'done/b.vcf'))
      assert.equal(moved.file.id, file.id)
      assert.equal(moved.file.key, 'done/b.vcf')
      assert.equal(moved.file.name, 'b.vcf')
      assert.deepEqual(moved.freedBlobNames, [])
      const stored = await store.getFile(ws, 'done/b.vcf')
      assert.equal(stored?.id, file.id)
      assert.equal(stored?.blobName, file.blobName)
      assert.equal(await store.getFile(ws, 'raw/a.vcf'), undefined)
    })

    test('moveFile: missing -> file_not_found, taken -> file_exists unless overwrite', async () => {
      await assert.rejects(store.moveFile(request('nope', 'x')), (e) =>
        isAppError(e, 'file_not_found'),
      )
      const { file: a } = await put('m/a')
      const { file: b } = await put('m/b')
      await assert.rejects(store.moveFile(request('m/a', 'm/b')), (e) =>
        isAppError(e, 'file_exists'),
      )
      assert.equal((await store.getFile(ws, 'm/a'))?.id, a.id)
      const moved = await store.moveFile(request('m/a', 'm/b', true))
      assert.equal(moved.file.id, a.id)
      assert.deepEqual(moved.freedBlobNames, [b.blobName])
      assert.equal(await store.isDeletionPending(b.blobName), true)
      assert.deepEqual(
        (await keys()).filter((k) => k.startsWith('m/')),
        ['m/b'],
      )
    })

    test('copyFile shares the blob under a new id; the source stays', async () => {
      const { file } = await put('c/src')
      const copy = await store.copyFile({ ...request('c/src', 'c/dst'), id: newFileId() })
      assert.notEqual(copy.file.id, file.id)
      assert.equal(copy.file.blobName, file.blobName)
      assert.equal(copy.file.sha256, file.sha256)
      assert.equal((await store.getFile(ws, 'c/src'))?.id, file.id)
      assert.equal((await store.getFile(ws, 'c/dst'))?.id, copy.file.id)
    })

    test('a blob shared by a copy is freed only when its last file goes', async () => {
      const { file } = await put('s/one')
      await store.copyFile({ ...request('s/one', 's/two'), id: newFileId() })
      await store.deleteFile(ws, 's/one')
      assert.equal(await store.isDeletionPending(file.blobName), false)
      assert.equal(await store.isBlobReferenced(file.blobName), true)
      // Replacing the copy's content: the old blob is now nobody's.
      const replaced = await put('s/two')
      assert.equal(replaced.replacedBlobName, file.blobName)
    })

    test('replacing one of two files sharing a blob does not free it', async () => {
      const { file } = await put('r/one')
      await store.copyFile({ ...request('r/one', 'r/two'), id: newFileId() })
      const replaced = await put('r/one')
      assert.deepEqual(replaced.freedBlobNames, [])
      assert.equal((await store.getFile(ws, 'r/two'))?.blobName, file.blobName)
    })

    test('a copy has a version of its own: the source and the copy both replace and keep history', async () => {
      const { file } = await put('vv/src')
      const copy = await store.copyFile({ ...request('vv/src', 'vv/dst'), id: newFileId() })
      assert.notEqual(copy.file.versionId, file.versionId)
      await put('vv/src')
      await put('vv/dst')
      assert.equal((await store.listVersions(ws, 'vv/dst'))?.[0]?.isCurrent, true)
    })

    test('moving over a file with history drops that history and frees its bytes', async () => {
      const { file: old } = await put('ov/target')
      await put('ov/target')
      await put('ov/source')
      const moved = await store.moveFile(request('ov/source', 'ov/target', true))
      assert.ok(moved.freedBlobNames.length >= 1)
      assert.equal(await store.isBlobReferenced(old.blobName), false)
    })

    test('moveFolder moves every file under the folder in one call, keeping ids', async () => {
      const ids = new Map<string, string>()
      for (const key of ['f/a', 'f/sub/b', 'f/sub/c']) ids.set(key, (await put(key)).file.id)
      await put('fx') // not in the folder
      const result = await store.moveFolder(request('f/', 'g/h/'))
      assert.equal(result.count, 3)
      for (const [key, id] of ids) {
        assert.equal((await store.getFile(ws, key.replace(/^f\//, 'g/h/')))?.id, id)
        assert.equal(await store.getFile(ws, key), undefined)
      }
      assert.ok(await store.getFile(ws, 'fx'))
    })

    test('moveFolder: none -> file_not_found; a taken target -> file_exists, nothing moved', async () => {
      await assert.rejects(store.moveFolder(request('empty/', 'e2/')), (e) =>
        isAppError(e, 'file_not_found'),
      )
      await put('p/a')
      await put('p/b')
      const { file: taken } = await put('q/b')
      await assert.rejects(store.moveFolder(request('p/', 'q/')), (e) =>
        isAppError(e, 'file_exists'),
      )
      assert.ok(await store.getFile(ws, 'p/a'))
      assert.ok(await store.getFile(ws, 'p/b'))
      const result = await store.moveFolder(request('p/', 'q/', true))
      assert.equal(result.count, 2)
      assert.deepEqual(result.freedBlobNames, [taken.blobName])
      assert.deepEqual(
        (await keys()).filter((k) => /^[pq]\//.test(k)),
        ['q/a', 'q/b'],
      )
    })

    test('non-ASCII folder names move by code points', async () => {
      await put('données/é😀/x')
      await store.moveFolder(request('données/', 'résultats/'))
      assert.ok(await store.getFile(ws, 'résultats/é😀/x'))
    })

    test('copyFolder copies with new ids and shared blobs', async () => {
      const a = (await put('k/a')).file
      const b = (await put('k/b/c')).file
      const result = await store.copyFolder(request('k/', 'k2/'))
      assert.equal(result.count, 2)
      const copyA = await store.getFile(ws, 'k2/a')
      assert.equal(copyA?.blobName, a.blobName)
      assert.notEqual(copyA?.id, a.id)
      assert.equal((await store.getFile(ws, 'k2/b/c'))?.blobName, b.blobName)
      assert.ok(await store.getFile(ws, 'k/a'))
    })

    test('countUnder counts a folder up to its cap', async () => {
      for (const key of ['n/1', 'n/2', 'n/3', 'n/4']) await put(key)
      assert.equal(await store.countUnder(ws, 'n/', 100), 4)
      assert.equal(await store.countUnder(ws, 'n/', 2), 3)
      assert.equal(await store.countUnder(ws, 'none/', 2), 0)
    })

    const job = (kind: 'move' | 'copy', from: string, to: string, total: number): JobRecord => ({
      id: `job_${randomId()}`,
      workspaceId: ws,
      kind,
      from,
      to,
      overwrite: false,
      status: 'running',
      total,
      done: 0,
      cursor: null,
      error: null,
      audit: null,
      createdAt: now(),
      updatedAt: now(),
    })

    test('a move job runs batch by batch, recording progress, until done', async () => {
      for (let i = 0; i < 5; i++) await put(`j/${i}`)
      const record = job('move', 'j/', 'jj/', 5)
      await store.createJob(record)
      assert.deepEqual(
        (await store.listRunningJobs(100)).map((j) => j.id),
        [record.id],
      )
      const first = await store.runJobBatch(record.id, { limit: 2, now: now() })
      assert.equal(first.job.done, 2)
      assert.equal(first.job.status, 'running')
      assert.equal((await store.getJob(record.id))?.done, 2)
      assert.equal(await store.countUnder(ws, 'j/', 10), 3)
      await store.runJobBatch(record.id, { limit: 2, now: now() })
      const last = await store.runJobBatch(record.id, { limit: 2, now: now() })
      assert.equal(last.job.status, 'done')
      assert.equal(last.job.done, 5)
      assert.equal(await store.countUnder(ws, 'jj/', 10), 5)
      assert.deepEqual(await store.listRunningJobs(100), [])
      // A finished job is answered unchanged.
      assert.equal((await store.runJobBatch(record.id, { limit: 2, now: now() })).job.done, 5)
    })

    test('a copy job resumes after its cursor', async () => {
      for (let i = 0; i < 3; i++) await put(`cj/${i}`)
      const record = job('copy', 'cj/', 'cj2/', 3)
      await store.createJob(record)
      const first = await store.runJobBatch(record.id, { limit: 2, now: now() })
      assert.equal(first.job.cursor, 'cj/1')
      const last = await store.runJobBatch(record.id, { limit: 2, now: now() })
      assert.equal(last.job.status, 'done')
      assert.equal(last.job.done, 3)
      assert.equal(await store.countUnder(ws, 'cj2/', 10), 3)
      assert.equal(await store.countUnder(ws, 'cj/', 10), 3)
    })

    test('a job that meets a taken key stops as failed, saying why', async () => {
      await put('fj/a')
      await put('fj2/a')
      const record = job('move', 'fj/', 'fj2/', 1)
      await store.createJob(record)
      const result = await store.runJobBatch(record.id, { limit: 10, now: now() })
      assert.equal(result.job.status, 'failed')
      assert.equal(result.job.error?.code, 'file_exists')
      assert.ok(await store.getFile(ws, 'fj/a'))
    })
  })
}
