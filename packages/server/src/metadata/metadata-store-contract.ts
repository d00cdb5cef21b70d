/**
 * The contract every MetadataStore passes: `describeMetadataStore('sqlite', make)` from each
 * dialect's test file. `make` answers a fresh, migrated, empty store (and its teardown).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { isAppError } from '../domain/errors.ts'
import { newFileId, newUploadId, randomId } from '../domain/ids.ts'
import type { FileRecord, KeyRecord, MetadataStore, Upload } from '../domain/ports.ts'

export interface MetadataStoreFixture {
  store: MetadataStore
  teardown(): Promise<void>
}

const now = () => new Date().toISOString()

export function fileRecord(
  workspaceId: string,
  key: string,
  extra: Partial<FileRecord> = {},
): FileRecord {
  return {
    id: newFileId(),
    workspaceId,
    key,
    name: key.slice(key.lastIndexOf('/') + 1),
    size: 3,
    contentType: 'text/plain',
    description: null,
    sha256: 'a'.repeat(64),
    blobName: `${workspaceId}/${randomId(8)}/${key}`,
    createdAt: now(),
    updatedAt: now(),
    ...extra,
  }
}

export function uploadRecord(
  workspaceId: string,
  key: string,
  extra: Partial<Upload> = {},
): Upload {
  return {
    id: newUploadId(),
    workspaceId,
    key,
    blobName: `${workspaceId}/${randomId(8)}/${key}`,
    size: 10,
    contentType: 'application/octet-stream',
    description: null,
    sha256: null,
    overwrite: true,
    status: 'pending',
    receivedSha256: null,
    createdAt: now(),
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    multipart: null,
    ...extra,
  }
}

function keyRecord(extra: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id: `key_${randomId(8)}`,
    name: 'test',
    scopes: ['files'],
    workspaceIds: ['ws_a'],
    createdAt: now(),
    expiresAt: null,
    revokedAt: null,
    secretHash: randomId(32),
    ...extra,
  }
}

export function describeMetadataStore(
  name: string,
  make: () => Promise<MetadataStoreFixture>,
): void {
  describe(`MetadataStore contract: ${name}`, () => {
    let fixture: MetadataStoreFixture
    let store: MetadataStore
    let ws = ''
    const keys = async (prefixFrom?: string, before?: string, limit = 100) =>
      (
        await store.listFiles({
          workspaceId: ws,
          ...(prefixFrom !== undefined ? { from: { key: prefixFrom, inclusive: true } } : {}),
          ...(before !== undefined ? { before } : {}),
          limit,
        })
      ).map((file) => file.key)

    before(async () => {
      fixture = await make()
      store = fixture.store
    })
    after(() => fixture.teardown())

    test('migrate is idempotent and check answers', async () => {
      await store.migrate()
      await store.check()
    })

    test('workspaces: create, get, list; a duplicate id -> workspace_exists', async () => {
      ws = `ws_${randomId(8)}`
      await store.createWorkspace({ id: ws, name: 'Lab', createdAt: now() })
      assert.equal((await store.getWorkspace(ws))?.name, 'Lab')
      assert.ok((await store.listWorkspaces()).some((w) => w.id === ws))
      assert.equal(await store.getWorkspace('ws_missing'), undefined)
      await assert.rejects(
        store.createWorkspace({ id: ws, name: 'Again', createdAt: now() }),
        (error) => isAppError(error, 'workspace_exists'),
      )
    })

    test('keys: find by hash, list, revoke once', async () => {
      const key = keyRecord({ workspaceIds: [ws] })
      await store.createKey(key)
      assert.deepEqual((await store.findKeyBySecretHash(key.secretHash))?.workspaceIds, [ws])
      assert.equal(await store.findKeyBySecretHash('nope'), undefined)
      const admin = keyRecord({ scopes: ['admin'], workspaceIds: null })
      await store.createKey(admin)
      assert.equal((await store.findKeyBySecretHash(admin.secretHash))?.workspaceIds, null)
      assert.ok((await store.listKeys()).some((k) => k.id === key.id))
      await store.revokeKey(key.id, now())
      assert.ok((await store.findKeyBySecretHash(key.secretHash))?.revokedAt)
      await assert.rejects(store.revokeKey(key.id, now()), (error) =>
        isAppError(error, 'api_key_not_found'),
      )
    })

    test('putFile inserts, replaces keeping id and created_at, and answers the replaced blob', async () => {
      const first = fileRecord(ws, 'raw/sample.vcf')
      const inserted = await store.putFile(first, { overwrite: true })
      assert.equal(inserted.replacedBlobName, null)
      const second = fileRecord(ws, 'raw/sample.vcf', { size: 5 })
      const replaced = await store.putFile(second, { overwrite: true })
      assert.equal(replaced.replacedBlobName, first.blobName)
      assert.equal(replaced.file.id, first.id)
      assert.equal(replaced.file.createdAt, first.createdAt)
      const current = await store.getFile(ws, 'raw/sample.vcf')
      assert.equal(current?.size, 5)
      assert.equal(current?.blobName, second.blobName)
    })

    test('overwrite=false on an existing key -> file_exists and nothing changes', async () => {
      const before = await store.getFile(ws, 'raw/sample.vcf')
      await assert.rejects(
        store.putFile(fileRecord(ws, 'raw/sample.vcf'), { overwrite: false }),
        (error) => isAppError(error, 'file_exists'),
      )
      assert.deepEqual(await store.getFile(ws, 'raw/sample.vcf'), before)
    })

    test('sizes beyond 32 bits survive', async () => {
      const big = fileRecord(ws, 'bam/huge.bam', { size: 5 * 1024 ** 4 })
      await store.putFile(big, { overwrite: true })
      assert.equal((await store.getFile(ws, 'bam/huge.bam'))?.size, 5 * 1024 ** 4)
    })

    test('listFiles is in UTF-8 byte order and honours from/before/limit', async () => {
      for (const key of [
        'results/a.txt',
        'results/b.txt',
        'results/sub/c.txt',
        'results0.txt',
        'résumé.txt',
        '😀.txt',
        '\uffff.txt',
      ]) {
        await store.putFile(fileRecord(ws, key), { overwrite: true })
      }
      const all = await keys()
      const sorted = [...all].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      assert.deepEqual(all, sorted)
      assert.deepEqual(await keys('results/', 'results0'), [
        'results/a.txt',
        'results/b.txt',
        'results/sub/c.txt',
      ])
      assert.deepEqual(await keys('results/', 'results0', 2), ['results/a.txt', 'results/b.txt'])
      const after = await store.listFiles({
        workspaceId: ws,
        from: { key: 'results/a.txt', inclusive: false },
        limit: 1,
      })
      assert.deepEqual(
        after.map((f) => f.key),
        ['results/b.txt'],
      )
      assert.deepEqual((await store.listFiles({ workspaceId: ws, limit: 0 })).length, 0)
    })

    test('listFolderEntries answers each file and the first key of each folder, in order', async () => {
      const keys = [
        'fv/a.txt',
        'fv/d1/x',
        'fv/d1/y/deep',
        'fv/d2/z',
        'fv/e.txt',
        'fv/😀/q',
        'fv/😀/r',
        'fv0',
      ]
      for (const key of keys) await store.putFile(fileRecord(ws, key), { overwrite: true })
      const entries = (range: {
        from?: string
        inclusive?: boolean
        prefix: string
        limit: number
      }) =>
        store.listFolderEntries({
          workspaceId: ws,
          from: { key: range.from ?? range.prefix, inclusive: range.inclusive ?? true },
          before: `${range.prefix.slice(0, -1)}0`,
          limit: range.limit,
          prefixLength: Array.from(range.prefix).length,
        })
      assert.deepEqual(await entries({ prefix: 'fv/', limit: 10 }), [
        'fv/a.txt',
        'fv/d1/x',
        'fv/d2/z',
        'fv/e.txt',
        'fv/😀/q',
      ])
      assert.deepEqual(await entries({ prefix: 'fv/', limit: 2 }), ['fv/a.txt', 'fv/d1/x'])
      assert.deepEqual(
        await entries({ prefix: 'fv/', from: 'fv/d1/x', inclusive: false, limit: 1 }),
        ['fv/d1/y/deep'],
      )
      assert.deepEqual(await entries({ prefix: 'fv/😀/', limit: 10 }), ['fv/😀/q', 'fv/😀/r'])
      const files = await store.getFiles(ws, ['fv/e.txt', 'fv/a.txt', 'fv/missing'])
      assert.deepEqual(
        files.map((f) => f.key),
        ['fv/a.txt', 'fv/e.txt'],
      )
    })

    test('files of another workspace are never listed', async () => {
      const other = `ws_${randomId(8)}`
      await store.createWorkspace({ id: other, name: 'Other', createdAt: now() })
      await store.putFile(fileRecord(other, 'results/secret.txt'), { overwrite: true })
      assert.ok(!(await keys()).includes('results/secret.txt'))
      assert.equal(await store.getFile(ws, 'results/secret.txt'), undefined)
    })

    test('deleteFile answers the removed record once', async () => {
      await store.putFile(fileRecord(ws, 'tmp/x'), { overwrite: true })
      assert.equal((await store.deleteFile(ws, 'tmp/x'))?.key, 'tmp/x')
      assert.equal(await store.deleteFile(ws, 'tmp/x'), undefined)
      assert.equal(await store.getFile(ws, 'tmp/x'), undefined)
    })

    test("deleteFile queues the blob's deletion in its transaction; due, postponed, finished", async () => {
      const file = fileRecord(ws, 'queue/x.txt')
      await store.putFile(file, { overwrite: true })
      assert.equal(await store.isDeletionPending(file.blobName), false)
      const queuedBefore = await store.countPendingDeletions()
      await store.deleteFile(ws, 'queue/x.txt')
      assert.equal(await store.isDeletionPending(file.blobName), true)
      assert.equal(await store.countPendingDeletions(), queuedBefore + 1)
      const now = new Date().toISOString()
      assert.ok((await store.listDueDeletions(now, 100)).includes(file.blobName))
      const later = new Date(Date.now() + 60_000).toISOString()
      await store.postponeDeletion(file.blobName, later)
      assert.ok(!(await store.listDueDeletions(now, 100)).includes(file.blobName))
      assert.ok((await store.listDueDeletions(later, 100)).includes(file.blobName))
      await store.finishDeletion(file.blobName)
      assert.equal(await store.isDeletionPending(file.blobName), false)
      assert.equal(await store.countPendingDeletions(), queuedBefore)
      assert.ok(!(await store.listDueDeletions(later, 100)).includes(file.blobName))
    })

    test('uploads: pending -> received once; open ones listed newest first', async () => {
      const older = uploadRecord(ws, 'bam/x.bam', {
        createdAt: new Date(Date.now() - 1000).toISOString(),
      })
      const newer = uploadRecord(ws, 'bam/x.bam')
      await store.createUpload(older)
      await store.createUpload(newer)
      assert.deepEqual(
        (await store.listOpenUploads(ws, 'bam/x.bam')).map((u) => u.id),
        [newer.id, older.id],
      )
      await store.markUploadReceived(older.id, 'b'.repeat(64))
      const got = await store.getUpload(older.id)
      assert.equal(got?.status, 'received')
      assert.equal(got?.receivedSha256, 'b'.repeat(64))
      assert.equal(got?.overwrite, true)
      await assert.rejects(store.markUploadReceived(older.id, null), (error) =>
        isAppError(error, 'upload_already_received'),
      )
      await store.markUploadFailed(newer.id)
      assert.deepEqual(
        (await store.listOpenUploads(ws, 'bam/x.bam')).map((u) => u.id),
        [older.id],
      )
      assert.equal((await store.getUploadByBlob(older.blobName))?.id, older.id)
    })

    test('putFile with completeUploadId completes it in the same transaction; a racing repeat changes nothing', async () => {
      const upload = uploadRecord(ws, 'bam/y.bam')
      await store.createUpload(upload)
      const file = fileRecord(ws, 'bam/y.bam', { blobName: upload.blobName })
      await store.putFile(file, { overwrite: true, completeUploadId: upload.id })
      assert.equal((await store.getUpload(upload.id))?.status, 'completed')
      const again = await store.putFile(
        fileRecord(ws, 'bam/y.bam', { blobName: upload.blobName }),
        {
          overwrite: true,
          completeUploadId: upload.id,
        },
      )
      assert.equal(again.replacedBlobName, null)
      assert.equal(again.file.id, file.id)
    })

    test('closeUpload ends an open upload once, as aborted or expired; others answer false', async () => {
      const pending = uploadRecord(ws, 'close/a.bin')
      const received = uploadRecord(ws, 'close/a.bin')
      const completed = uploadRecord(ws, 'close/b.bin')
      for (const upload of [pending, received, completed]) await store.createUpload(upload)
      await store.markUploadReceived(received.id, null)
      await store.putFile(fileRecord(ws, 'close/b.bin', { blobName: completed.blobName }), {
        overwrite: true,
        completeUploadId: completed.id,
      })
      assert.equal(await store.closeUpload(pending.id, 'aborted'), true)
      assert.equal(await store.closeUpload(received.id, 'expired'), true)
      assert.equal((await store.getUpload(pending.id))?.status, 'aborted')
      assert.equal((await store.getUpload(received.id))?.status, 'expired')
      assert.deepEqual(await store.listOpenUploads(ws, 'close/a.bin'), [])
      assert.equal(await store.closeUpload(pending.id, 'expired'), false)
      assert.equal((await store.getUpload(pending.id))?.status, 'aborted')
      assert.equal(await store.closeUpload(completed.id, 'aborted'), false)
      assert.equal((await store.getUpload(completed.id))?.status, 'completed')
      assert.equal(await store.closeUpload(newUploadId(), 'aborted'), false)
    })

    test("touchUpload moves an open upload's idle deadline; a closed one keeps its own", async () => {
      const open = uploadRecord(ws, 'touch/a.bin')
      const closed = uploadRecord(ws, 'touch/b.bin')
      await store.createUpload(open)
      await store.createUpload(closed)
      await store.closeUpload(closed.id, 'aborted')
      const later = '2999-01-01T00:00:00.000Z'
      await store.touchUpload(open.id, later)
      await store.touchUpload(closed.id, later)
      assert.equal((await store.getUpload(open.id))?.expiresAt, later)
      assert.equal((await store.getUpload(closed.id))?.expiresAt, closed.expiresAt)
      await store.touchUpload(newUploadId(), later)
    })

    test("listWorkspaceUploads: the workspace's open uploads, newest first, at most limit", async () => {
      const mine = `ws_${randomId(8)}`
      const other = `ws_${randomId(8)}`
      for (const id of [mine, other]) {
        await store.createWorkspace({ id, name: id, createdAt: now() })
      }
      const at = (second: number) => `2020-01-01T00:00:0${second}.000Z`
      const oldest = uploadRecord(mine, 'a.bin', { createdAt: at(1) })
      const middle = uploadRecord(mine, 'b/c.bin', { createdAt: at(2) })
      const newest = uploadRecord(mine, 'a.bin', { createdAt: at(3) })
      const closed = uploadRecord(mine, 'd.bin', { createdAt: at(4) })
      const elsewhere = uploadRecord(other, 'a.bin', { createdAt: at(5) })
      for (const upload of [oldest, middle, newest, closed, elsewhere]) {
        await store.createUpload(upload)
      }
      await store.markUploadReceived(middle.id, null)
      await store.closeUpload(closed.id, 'expired')
      const ids = async (limit: number) =>
        (await store.listWorkspaceUploads(mine, limit)).map((upload) => upload.id)
      assert.deepEqual(await ids(10), [newest.id, middle.id, oldest.id])
      assert.deepEqual(await ids(2), [newest.id, middle.id])
      assert.deepEqual(await store.listWorkspaceUploads(`ws_${randomId(8)}`, 10), [])
    })

    test('isBlobReferenced: by a file or an open upload; not once deleted, closed or failed', async () => {
      const file = fileRecord(ws, 'refs/file.txt')
      await store.putFile(file, { overwrite: true })
      assert.equal(await store.isBlobReferenced(file.blobName), true)
      await store.deleteFile(ws, 'refs/file.txt')
      assert.equal(await store.isBlobReferenced(file.blobName), false)
      const [pending, received, closed, failed] = Array.from({ length: 4 }, () =>
        uploadRecord(ws, 'refs/upload.bin'),
      ) as [Upload, Upload, Upload, Upload]
      for (const upload of [pending, received, closed, failed]) await store.createUpload(upload)
      await store.markUploadReceived(received.id, null)
      await store.closeUpload(closed.id, 'aborted')
      await store.markUploadFailed(failed.id)
      assert.equal(await store.isBlobReferenced(pending.blobName), true)
      assert.equal(await store.isBlobReferenced(received.blobName), true)
      assert.equal(await store.isBlobReferenced(closed.blobName), false)
      assert.equal(await store.isBlobReferenced(failed.blobName), false)
      assert.equal(await store.isBlobReferenced(`${ws}/never/written`), false)
    })

    test('listExpiredUploads: open uploads idle past `now`, earliest deadline first, at most limit', async () => {
      // Deadlines in 2001, so uploads other tests made (due an hour from now) never show up.
      const at = (day: number, second = 0) => `2001-01-0${day}T00:00:0${second}.000Z`
      const late = uploadRecord(ws, 'exp/a.bin', { expiresAt: at(1, 2) })
      const early = uploadRecord(ws, 'exp/b.bin', { expiresAt: at(1, 1) })
      const closed = uploadRecord(ws, 'exp/c.bin', { expiresAt: at(1, 0) })
      const dueNow = uploadRecord(ws, 'exp/d.bin', { expiresAt: at(2) })
      const notYet = uploadRecord(ws, 'exp/e.bin', { expiresAt: at(3) })
      for (const upload of [late, early, closed, dueNow, notYet]) await store.createUpload(upload)
      await store.markUploadReceived(late.id, null)
      await store.closeUpload(closed.id, 'aborted')
      const ids = async (limit: number) =>
        (await store.listExpiredUploads(at(2), limit)).map((upload) => upload.id)
      assert.deepEqual(await ids(10), [early.id, late.id])
      assert.deepEqual(await ids(1), [early.id])
    })

    test('concurrent writers on one key and on many keys lose nothing', async () => {
      const writes = Array.from({ length: 40 }, (_, i) =>
        store.putFile(fileRecord(ws, i % 2 ? 'race/same.txt' : `race/${i}.txt`, { size: i }), {
          overwrite: true,
        }),
      )
      const results = await Promise.all(writes)
      assert.equal((await keys('race/', 'race0')).length, 21)
      // Every replaced blob is answered exactly once: none is orphaned, none deleted twice.
      const sameBlobs = results.filter((r) => r.file.key === 'race/same.txt')
      const replaced = sameBlobs.map((r) => r.replacedBlobName).filter((b) => b !== null)
      assert.equal(new Set(replaced).size, sameBlobs.length - 1)
    })

    test('an upload and a file need an existing workspace', async () => {
      await assert.rejects(store.putFile(fileRecord('ws_nowhere', 'x'), { overwrite: true }))
    })
  })
}
