/**
 * The contract of the store's history and deletion part (domain/lifecycle-ports.ts), run by each
 * dialect's test file beside describeMetadataStore: settings, versions, trash, usage counters,
 * blob references, and racing callers (one connection pool, so on PostgreSQL they really race).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { isAppError } from '../domain/errors.ts'
import { randomId } from '../domain/ids.ts'
import type { FileRecord, MetadataStore } from '../domain/ports.ts'
import { fileRecord, type MetadataStoreFixture } from './metadata-store-contract.ts'

const DAY = 86_400_000
const iso = (ms = Date.now()) => new Date(ms).toISOString()
let tick = Date.parse('2026-01-01T00:00:00Z')
/** Strictly increasing write times, so versions order deterministically. */
const later = () => {
  tick += 1000
  return iso(tick)
}

export function describeLifecycleStore(
  name: string,
  make: () => Promise<MetadataStoreFixture>,
): void {
  describe(`MetadataStore lifecycle contract: ${name}`, () => {
    let fixture: MetadataStoreFixture
    let store: MetadataStore
    const newWorkspace = async () => {
      const id = `ws_${randomId(8)}`
      await store.createWorkspace({ id, name: 'Lab', createdAt: iso() })
      return id
    }
    const put = async (ws: string, key: string, extra: Partial<FileRecord> = {}) => {
      const at = later()
      const file = fileRecord(ws, key, { updatedAt: at, createdAt: at, ...extra })
      return store.putFile(file, { overwrite: true })
    }
    const trash = (ws: string, keys: string[], groupId = `grp_${randomId()}`) =>
      store.trashFiles({
        workspaceId: ws,
        keys,
        groupId,
        deletedAt: iso(),
        purgeAt: iso(Date.now() + DAY),
      })
    const displaced = () => ({
      groupId: `grp_${randomId()}`,
      deletedAt: iso(),
      purgeAt: iso(Date.now() + DAY),
    })
    const restore = (
      ws: string,
      trashId: string,
      extra: { to?: string; overwrite?: boolean } = {},
    ) =>
      store.restoreTrashItem({
        workspaceId: ws,
        trashId,
        overwrite: false,
        displaced: displaced(),
        ...extra,
      })

    before(async () => {
      fixture = await make()
      store = fixture.store
    })
    after(() => fixture.teardown())

    test('settings: defaults 7 days, 10 versions, no quotas; a patch changes only its fields', async () => {
      const ws = await newWorkspace()
      const none = { quotaBytes: null, quotaFiles: null }
      assert.deepEqual(await store.getWorkspaceSettings(ws), {
        trashDays: 7,
        keepVersions: 10,
        ...none,
      })
      assert.deepEqual(await store.updateWorkspaceSettings(ws, { keepVersions: 3 }), {
        trashDays: 7,
        keepVersions: 3,
        ...none,
      })
      assert.deepEqual(await store.updateWorkspaceSettings(ws, { trashDays: 0, quotaBytes: 5e9 }), {
        trashDays: 0,
        keepVersions: 3,
        quotaBytes: 5e9,
        quotaFiles: null,
      })
      assert.deepEqual(
        await store.updateWorkspaceSettings(ws, { quotaBytes: null, quotaFiles: 7 }),
        {
          trashDays: 0,
          keepVersions: 3,
          quotaBytes: null,
          quotaFiles: 7,
        },
      )
      assert.equal(await store.getWorkspaceSettings('ws_missing'), undefined)
      assert.equal(await store.updateWorkspaceSettings('ws_missing', { trashDays: 1 }), undefined)
    })

    test('versions: each replace keeps the previous content, newest first, the oldest pruned', async () => {
      const ws = await newWorkspace()
      await store.updateWorkspaceSettings(ws, { keepVersions: 3 })
      const writes = []
      for (let i = 1; i <= 4; i++) writes.push(await put(ws, 'v.txt', { size: i }))
      const versions = await store.listVersions(ws, 'v.txt')
      assert.deepEqual(
        versions?.map((v) => [v.size, v.isCurrent]),
        [
          [4, true],
          [3, false],
          [2, false],
        ],
      )
      assert.equal(new Set(versions?.map((v) => v.versionId)).size, 3)
      assert.equal(versions?.[0]?.versionId, writes[3]?.file.versionId)
      // The 4th write pruned the 1st content: nothing else refers to it, so it is freed.
      assert.deepEqual(writes[3]?.freedBlobNames, [writes[0]?.file.blobName])
      assert.equal(await store.isBlobReferenced(writes[0]?.file.blobName ?? ''), false)
      assert.equal(await store.isDeletionPending(writes[0]?.file.blobName ?? ''), true)
      assert.equal(await store.listVersions(ws, 'missing.txt'), undefined)
      // The file keeps its id and listings still show one file.
      assert.equal(new Set(writes.map((w) => w.file.id)).size, 1)
      assert.equal((await store.listFiles({ workspaceId: ws, limit: 10 })).length, 1)
    })

    test('keep_versions 1 keeps no history: the replaced blob is freed at once', async () => {
      const ws = await newWorkspace()
      await store.updateWorkspaceSettings(ws, { keepVersions: 1 })
      const first = await put(ws, 'one.txt')
      const second = await put(ws, 'one.txt')
      assert.deepEqual(second.freedBlobNames, [first.file.blobName])
      assert.equal((await store.listVersions(ws, 'one.txt'))?.length, 1)
    })

    test('restore a version: its content is current again as a new version; history kept', async () => {
      const ws = await newWorkspace()
      const a = await put(ws, 'r.txt', { size: 1 })
      await put(ws, 'r.txt', { size: 2 })
      const old = await store.getVersion(ws, 'r.txt', a.file.versionId ?? '')
      assert.equal(old?.isCurrent, false)
      const restored = await store.restoreVersion(ws, 'r.txt', {
        versionId: a.file.versionId ?? '',
        at: later(),
      })
      assert.equal(restored?.file.blobName, a.file.blobName)
      assert.equal(restored?.file.id, a.file.id)
      assert.notEqual(restored?.file.versionId, a.file.versionId)
      assert.deepEqual(restored?.freedBlobNames, [])
      const versions = await store.listVersions(ws, 'r.txt')
      assert.deepEqual(
        versions?.map((v) => v.size),
        [1, 2, 1],
      )
      assert.equal(
        await store.restoreVersion(ws, 'r.txt', { versionId: 'nope', at: later() }),
        undefined,
      )
    })

    test('delete a version: gone for good; the current one refused; shared bytes kept', async () => {
      const ws = await newWorkspace()
      const a = await put(ws, 'd.txt')
      const b = await put(ws, 'd.txt')
      await assert.rejects(store.deleteVersion(ws, 'd.txt', b.file.versionId ?? ''), (e) =>
        isAppError(e, 'version_is_current'),
      )
      // Another file shares a's bytes (a copy): deleting the version must not free them.
      await put(ws, 'copy.txt', { blobName: a.file.blobName })
      const removed = await store.deleteVersion(ws, 'd.txt', a.file.versionId ?? '')
      assert.deepEqual(removed?.freedBlobNames, [])
      assert.equal(await store.getVersion(ws, 'd.txt', a.file.versionId ?? ''), undefined)
      assert.equal(await store.deleteVersion(ws, 'd.txt', a.file.versionId ?? ''), undefined)
    })

    test('trash: files leave listings with their versions, restore puts them back with id and history', async () => {
      const ws = await newWorkspace()
      const a1 = await put(ws, 'raw/a.txt')
      const a2 = await put(ws, 'raw/a.txt')
      await put(ws, 'raw/b.txt')
      const items = await trash(ws, ['raw/a.txt', 'raw/b.txt', 'raw/missing.txt'])
      assert.deepEqual(
        items.map((i) => i.file.key),
        ['raw/a.txt', 'raw/b.txt'],
      )
      assert.equal(new Set(items.map((i) => i.groupId)).size, 1)
      assert.deepEqual(await store.listFiles({ workspaceId: ws, limit: 10 }), [])
      // A trashed file's bytes are kept but no longer served.
      assert.equal(await store.isBlobReferenced(a2.file.blobName), true)
      assert.equal(await store.isBlobServable(a2.file.blobName), false)
      assert.equal(await store.isBlobServable(a1.file.blobName), false)
      const page1 = await store.listTrash({ workspaceId: ws, prefix: 'raw/', limit: 1 })
      assert.deepEqual(
        page1.map((i) => i.file.key),
        ['raw/a.txt'],
      )
      const last = page1[0]
      assert.ok(last)
      const page2 = await store.listTrash({
        workspaceId: ws,
        prefix: 'raw/',
        after: { key: last.file.key, trashId: last.trashId },
        limit: 10,
      })
      assert.deepEqual(
        page2.map((i) => i.file.key),
        ['raw/b.txt'],
      )
      assert.deepEqual(await store.listTrash({ workspaceId: ws, prefix: 'other/', limit: 10 }), [])
      const back = await restore(ws, last.trashId)
      assert.equal(back.id, a2.file.id)
      assert.equal((await store.getFile(ws, 'raw/a.txt'))?.blobName, a2.file.blobName)
      assert.equal((await store.listVersions(ws, 'raw/a.txt'))?.length, 2)
      assert.equal(await store.isBlobServable(a1.file.blobName), true)
      assert.equal(await store.getTrashItem(ws, last.trashId), undefined)
    })

    test('restore to a taken key: file_exists, unless "to" or overwrite (which trashes the other)', async () => {
      const ws = await newWorkspace()
      await put(ws, 'k.txt', { size: 1 })
      const [item] = await trash(ws, ['k.txt'])
      assert.ok(item)
      const newer = await put(ws, 'k.txt', { size: 2 })
      await assert.rejects(restore(ws, item.trashId), (e) => isAppError(e, 'file_exists'))
      assert.ok(await store.getTrashItem(ws, item.trashId), 'a refused restore changes nothing')
      const moved = await restore(ws, item.trashId, { to: 'other/k.txt' })
      assert.equal(moved.key, 'other/k.txt')
      assert.equal(moved.name, 'k.txt')
      const [again] = await trash(ws, ['other/k.txt'])
      assert.ok(again)
      const over = await store.restoreTrashItem({
        workspaceId: ws,
        trashId: again.trashId,
        to: 'k.txt',
        overwrite: true,
        displaced: displaced(),
      })
      assert.equal((await store.getFile(ws, 'k.txt'))?.id, over.id)
      const inTrash = await store.listTrash({ workspaceId: ws, prefix: '', limit: 10 })
      assert.deepEqual(
        inTrash.map((i) => i.file.id),
        [newer.file.id],
      )
    })

    test('a group restores together', async () => {
      const ws = await newWorkspace()
      for (const key of ['f/1', 'f/2', 'f/3']) await put(ws, key)
      const items = await trash(ws, ['f/1', 'f/2', 'f/3'], 'grp_folder')
      assert.equal(items.length, 3)
      const files = await store.restoreTrashGroup({
        workspaceId: ws,
        groupId: 'grp_folder',
        overwrite: false,
        displaced: displaced(),
      })
      assert.deepEqual(
        files.map((f) => f.key),
        ['f/1', 'f/2', 'f/3'],
      )
      await assert.rejects(
        store.restoreTrashGroup({
          workspaceId: ws,
          groupId: 'grp_folder',
          overwrite: false,
          displaced: displaced(),
        }),
        (e) => isAppError(e, 'trash_item_not_found'),
      )
    })

    test('purge frees the item and its versions, never bytes another file shares; expiry lists it', async () => {
      const ws = await newWorkspace()
      const v1 = await put(ws, 'p.txt')
      const v2 = await put(ws, 'p.txt')
      await put(ws, 'shared.txt', { blobName: v1.file.blobName })
      const [item] = await store.trashFiles({
        workspaceId: ws,
        keys: ['p.txt'],
        groupId: 'grp_p',
        deletedAt: iso(),
        purgeAt: iso(Date.now() - 1),
      })
      assert.ok(item)
      const expired = await store.listExpiredTrash(iso(), 1000)
      assert.ok(expired.some((e) => e.trashId === item.trashId && e.workspaceId === ws))
      const purged = await store.purgeTrashItem(ws, item.trashId)
      assert.deepEqual(purged?.freedBlobNames, [v2.file.blobName])
      assert.equal(await store.isBlobReferenced(v1.file.blobName), true)
      assert.equal(await store.purgeTrashItem(ws, item.trashId), undefined)
    })

    test('deleteFile (trash_days 0) removes the versions too, freeing only unshared bytes', async () => {
      const ws = await newWorkspace()
      const v1 = await put(ws, 'x.txt')
      const v2 = await put(ws, 'x.txt')
      const v3 = await put(ws, 'x.txt')
      await put(ws, 'y.txt', { blobName: v2.file.blobName })
      const removed = await store.deleteFile(ws, 'x.txt')
      assert.deepEqual(removed?.freedBlobNames.sort(), [v1.file.blobName, v3.file.blobName].sort())
    })

    test('a move over a file drops that file with its versions; the moved one keeps its own', async () => {
      const ws = await newWorkspace()
      const old1 = await put(ws, 'target.txt')
      const old2 = await put(ws, 'target.txt')
      await put(ws, 'source.txt')
      await put(ws, 'source.txt')
      const moved = await store.moveFile({
        workspaceId: ws,
        from: 'source.txt',
        to: 'target.txt',
        overwrite: true,
        now: iso(),
      })
      assert.deepEqual(moved.freedBlobNames.sort(), [old1.file.blobName, old2.file.blobName].sort())
      assert.equal((await store.listVersions(ws, 'target.txt'))?.length, 2)
      assert.equal((await store.getWorkspaceUsage(ws))?.versions, 1)
    })

    test('usage counters follow every write, version and trash item', async () => {
      const ws = await newWorkspace()
      assert.deepEqual(await store.getWorkspaceUsage(ws), {
        files: 0,
        bytes: 0,
        versions: 0,
        versionBytes: 0,
        trashFiles: 0,
        trashBytes: 0,
      })
      await put(ws, 'u1', { size: 10 })
      await put(ws, 'u1', { size: 15 })
      await put(ws, 'u2', { size: 7 })
      await trash(ws, ['u2'])
      assert.deepEqual(await store.getWorkspaceUsage(ws), {
        files: 1,
        bytes: 15,
        versions: 1,
        versionBytes: 10,
        trashFiles: 1,
        trashBytes: 7,
      })
      assert.equal(await store.getWorkspaceUsage('ws_missing'), undefined)
    })

    test('two restores of one trash item race: one wins, the other trash_item_not_found', async () => {
      const ws = await newWorkspace()
      for (let round = 0; round < 5; round++) {
        await put(ws, `race${round}.txt`)
        const [item] = await trash(ws, [`race${round}.txt`])
        assert.ok(item)
        const results = await Promise.allSettled([
          restore(ws, item.trashId),
          restore(ws, item.trashId, { to: `elsewhere${round}.txt` }),
        ])
        const won = results.filter((r) => r.status === 'fulfilled')
        assert.equal(won.length, 1)
        for (const r of results) {
          if (r.status === 'rejected') {
            assert.ok(isAppError(r.reason, 'trash_item_not_found'), String(r.reason))
          }
        }
        assert.equal((await store.getWorkspaceUsage(ws))?.trashFiles, 0)
      }
    })

    test('racing replaces, restores, version deletes, trash and purges never free a referenced blob', async () => {
      const ws = await newWorkspace()
      await store.updateWorkspaceSettings(ws, { keepVersions: 3 })
      const freed: string[] = []
      const keep = (r: { freedBlobNames: string[] } | undefined) => {
        if (r) freed.push(...r.freedBlobNames)
      }
      const seeds = []
      for (let i = 0; i < 4; i++) seeds.push(await put(ws, 'hot.txt'))
      const versionIds = seeds.map((s) => s.file.versionId ?? '')
      // Copies made before the race share the seeds' bytes: nothing may free them.
      for (const [i, s] of seeds.entries())
        await put(ws, `copy${i}.txt`, { blobName: s.file.blobName })
      const quietly = (p: Promise<unknown>) => p.catch(() => undefined)
      await Promise.all([
        ...Array.from({ length: 6 }, async () => keep(await put(ws, 'hot.txt'))),
        ...versionIds.map((versionId) =>
          quietly(store.restoreVersion(ws, 'hot.txt', { versionId, at: later() }).then(keep)),
        ),
        ...versionIds.map((versionId) =>
          quietly(store.deleteVersion(ws, 'hot.txt', versionId).then(keep)),
        ),
      ])
      const [item] = await trash(ws, ['hot.txt'])
      if (item) keep(await store.purgeTrashItem(ws, item.trashId))
      for (const blobName of freed) {
        assert.equal(
          await store.isBlobReferenced(blobName),
          false,
          `${blobName} freed but referenced`,
        )
      }
      for (let i = 0; i < seeds.length; i++) {
        const copy = await store.getFile(ws, `copy${i}.txt`)
        assert.ok(copy && !freed.includes(copy.blobName))
      }
    })
  })
}
