/**
 * The audit log's contract, run by every MetadataStore (`describeAuditLog` beside
 * `describeMetadataStore` in each dialect's test file): each mutating method records its change
 * in the change's transaction, nothing when nothing changed, and the log reads back by cursor.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { AuditContext, AuditEvent } from '../domain/audit.ts'
import { facts } from '../domain/audit.ts'
import { isAppError } from '../domain/errors.ts'
import { randomId } from '../domain/ids.ts'
import type { KeyRecord, MetadataStore } from '../domain/ports.ts'
import { fileRecord, type MetadataStoreFixture, uploadRecord } from './metadata-store-contract.ts'

const context = (extra: Partial<AuditContext> = {}): AuditContext => ({
  actorKeyId: 'key_actor',
  actorKeyName: 'pipeline',
  ip: '192.0.2.7',
  requestId: `req_${randomId(8)}`,
  at: new Date().toISOString(),
  ...extra,
})

function key(workspaceId: string): KeyRecord {
  return {
    id: `key_${randomId(8)}`,
    name: 'k',
    scopes: ['files'],
    workspaceIds: [workspaceId],
    createdAt: new Date().toISOString(),
    expiresAt: null,
    revokedAt: null,
    secretHash: randomId(32),
  }
}

export function describeAuditLog(name: string, make: () => Promise<MetadataStoreFixture>): void {
  describe(`audit log contract: ${name}`, () => {
    let fixture: MetadataStoreFixture
    let store: MetadataStore
    const ws = `ws_${randomId(8)}`
    /** Every event of the workspace, oldest first. */
    const trail = () => store.listEvents({ workspaceIds: [ws], order: 'asc', limit: 1000 })
    const byRequest = async (ctx: AuditContext) =>
      (await store.listEvents({ order: 'asc', limit: 1000 })).filter(
        (event) => event.requestId === ctx.requestId,
      )

    before(async () => {
      fixture = await make()
      store = fixture.store
      await store.createWorkspace({ id: ws, name: 'Audit', createdAt: new Date().toISOString() })
    })
    after(() => fixture.teardown())

    test('putFile records file.upload then file.replace with the context and the version', async () => {
      const first = context()
      const file = fileRecord(ws, 'raw/a.vcf', { size: 7 })
      await store.putFile(file, { overwrite: true, audit: first })
      const second = context()
      await store.putFile(fileRecord(ws, 'raw/a.vcf', { size: 9 }), {
        overwrite: true,
        audit: second,
      })
      const [upload] = await byRequest(first)
      const [replace] = await byRequest(second)
      assert.ok(upload && replace)
      assert.deepEqual(
        { ...upload, seq: 0, id: '' },
        {
          seq: 0,
          id: '',
          at: first.at,
          actorKeyId: 'key_actor',
          actorKeyName: 'pipeline',
          action: 'file.upload',
          workspaceId: ws,
          key: 'raw/a.vcf',
          versionId: file.blobName.split('/')[1],
          size: 7,
          ip: '192.0.2.7',
          requestId: first.requestId,
          outcome: 'ok',
        },
      )
      assert.equal(replace.action, 'file.replace')
      assert.equal(replace.size, 9)
      assert.ok(replace.seq > upload.seq, 'seq grows with every event')
      assert.match(upload.id, /^ev_/)
    })

    test('a change that fails writes no event, and an event that fails undoes its change', async () => {
      const refused = context()
      await assert.rejects(
        store.putFile(fileRecord(ws, 'raw/a.vcf'), { overwrite: false, audit: refused }),
        (error) => isAppError(error, 'file_exists'),
      )
      assert.deepEqual(await byRequest(refused), [])
      // The event is inserted in the change's transaction: if it cannot be written (here: no
      // time), the file is not written either.
      const broken = context({ at: null as unknown as string })
      await assert.rejects(
        store.putFile(fileRecord(ws, 'raw/rolled-back.txt'), { overwrite: true, audit: broken }),
      )
      assert.equal(await store.getFile(ws, 'raw/rolled-back.txt'), undefined)
      await assert.rejects(store.deleteFile(ws, 'raw/a.vcf', { audit: broken }))
      assert.ok(await store.getFile(ws, 'raw/a.vcf'), 'the delete rolled back with its event')
    })

    test('deleteFile records file.delete; deleting nothing records nothing', async () => {
      const ctx = context()
      const removed = await store.deleteFile(ws, 'raw/a.vcf', { audit: ctx })
      assert.ok(removed)
      assert.equal(await store.deleteFile(ws, 'raw/a.vcf', { audit: ctx }), undefined)
      const events = await byRequest(ctx)
      assert.deepEqual(
        events.map((e) => [e.action, e.key, e.size]),
        [['file.delete', 'raw/a.vcf', removed.size]],
      )
    })

    test('keys and workspaces: create and revoke are recorded, never the secret hash', async () => {
      const ctx = context()
      const record = key(ws)
      await store.createKey(record, { audit: ctx })
      await store.revokeKey(record.id, new Date().toISOString(), { audit: ctx })
      await assert.rejects(store.revokeKey(record.id, new Date().toISOString(), { audit: ctx }))
      const other = `ws_${randomId(8)}`
      await store.createWorkspace(
        { id: other, name: 'x', createdAt: new Date().toISOString() },
        { audit: ctx },
      )
      const events = await byRequest(ctx)
      assert.deepEqual(
        events.map((e) => [e.action, e.key ?? e.workspaceId]),
        [
          ['key.create', record.id],
          ['key.revoke', record.id],
          ['workspace.create', other],
        ],
      )
      assert.ok(!JSON.stringify(events).includes(record.secretHash))
    })

    test('uploads: start, abort once, fail, expire', async () => {
      const ctx = context()
      const aborted = uploadRecord(ws, 'up/a.bin')
      const failed = uploadRecord(ws, 'up/b.bin')
      const expired = uploadRecord(ws, 'up/c.bin')
      for (const upload of [aborted, failed, expired])
        await store.createUpload(upload, { audit: ctx })
      assert.equal(await store.closeUpload(aborted.id, 'aborted', { audit: ctx }), true)
      assert.equal(await store.closeUpload(aborted.id, 'aborted', { audit: ctx }), false)
      await store.markUploadFailed(failed.id, { audit: ctx })
      await store.closeUpload(expired.id, 'expired', { audit: ctx })
      const events = (await byRequest(ctx)).map((e) => `${e.action} ${e.key}`)
      assert.deepEqual(events, [
        'upload.start up/a.bin',
        'upload.start up/b.bin',
        'upload.start up/c.bin',
        'upload.abort up/a.bin',
        'upload.fail up/b.bin',
        'upload.expire up/c.bin',
      ])
    })

    test('listEvents filters, pages both ways by seq, and purgeEvents drops the old', async () => {
      const old = context({ at: '2001-01-01T00:00:00.000Z', actorKeyId: 'key_old' })
      await store.appendEvents(old, [
        facts('link.issue', { workspaceId: ws, key: 'logs/x.txt', outcome: 'ok' }),
        facts('file.delete', { workspaceId: ws, key: 'logs/y.txt', outcome: 'denied' }),
      ])
      const all = await trail()
      const seqs = all.map((e) => e.seq)
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      )
      const page = (cursor: number | undefined, order: 'asc' | 'desc') =>
        store.listEvents({
          workspaceIds: [ws],
          order,
          limit: 3,
          ...(cursor !== undefined ? { cursor } : {}),
        })
      const walked: AuditEvent[] = []
      for (let cursor: number | undefined, p = await page(undefined, 'asc'); p.length > 0; ) {
        walked.push(...p)
        cursor = p.at(-1)?.seq
        p = await page(cursor, 'asc')
      }
      assert.deepEqual(
        walked.map((e) => e.id),
        all.map((e) => e.id),
      )
      const newest = await page(undefined, 'desc')
      assert.deepEqual(
        newest.map((e) => e.id),
        all
          .slice(-3)
          .reverse()
          .map((e) => e.id),
      )
      const q = { workspaceIds: [ws], order: 'asc', limit: 100 } as const
      const only = async (extra: object) =>
        (await store.listEvents({ ...q, ...extra })).map((e) => e.key)
      assert.deepEqual(await only({ keyPrefix: 'logs/' }), ['logs/x.txt', 'logs/y.txt'])
      assert.deepEqual(await only({ actorKeyId: 'key_old' }), ['logs/x.txt', 'logs/y.txt'])
      assert.deepEqual(await only({ actions: ['link.issue'] }), ['logs/x.txt'])
      assert.deepEqual(await only({ until: '2002-01-01T00:00:00.000Z' }), [
        'logs/x.txt',
        'logs/y.txt',
      ])
      assert.ok(!(await only({ since: '2002-01-01T00:00:00.000Z' })).includes('logs/x.txt'))
      assert.deepEqual(await store.listEvents({ ...q, workspaceIds: [] }), [])
      assert.ok((await store.purgeEvents('2002-01-01T00:00:00.000Z')) >= 2)
      assert.deepEqual(await only({ keyPrefix: 'logs/' }), [])
      assert.equal((await trail()).length, all.length - 2)
    })

    test('link grants: revokeFileLinks bumps the generation with its event; key state in one lookup', async () => {
      const file = fileRecord(ws, 'links/x.bam')
      const stored = (await store.putFile(file, { overwrite: true })).file
      const active = key(ws)
      await store.createKey(active)
      assert.equal(await store.linkGeneration(stored.id), 0)
      assert.deepEqual(await store.linkGrantState(active.id, stored.id), {
        keyActive: true,
        generation: 0,
      })
      const ctx = context()
      assert.equal((await store.revokeFileLinks(ws, 'links/x.bam', { audit: ctx }))?.id, stored.id)
      await store.revokeFileLinks(ws, 'links/x.bam', { audit: ctx })
      assert.equal(await store.revokeFileLinks(ws, 'links/none', { audit: ctx }), undefined)
      assert.equal(await store.linkGeneration(stored.id), 2)
      assert.deepEqual(
        (await byRequest(ctx)).map((e) => `${e.action} ${e.key}`),
        ['links.revoke links/x.bam', 'links.revoke links/x.bam'],
      )
      await store.revokeKey(active.id, new Date().toISOString())
      assert.deepEqual(await store.linkGrantState(active.id, stored.id), {
        keyActive: false,
        generation: 2,
      })
      assert.equal((await store.linkGrantState('key_unknown', stored.id)).keyActive, false)
    })

    test('concurrent changes each get their own event and seq', async () => {
      const ctx = context()
      await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.putFile(fileRecord(ws, `many/${i}.txt`), { overwrite: true, audit: ctx }),
        ),
      )
      const events = await byRequest(ctx)
      assert.equal(events.length, 8)
      assert.equal(new Set(events.map((e) => e.seq)).size, 8)
    })
  })
}
