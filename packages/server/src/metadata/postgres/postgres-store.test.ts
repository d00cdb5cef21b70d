import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { ErrorCode } from '@granary/protocol'
import {
  type PostgresCluster,
  startPostgresCluster,
} from '../../../test/support/postgres-cluster.ts'
import {
  freshPostgresStore,
  type PostgresStoreFixture,
  testDatabaseUrl,
} from '../../../test/support/postgres-test-env.ts'
import { requires } from '../../../test/support/requires.ts'
import { AppError, isAppError } from '../../domain/errors.ts'
import type { MetadataStore } from '../../domain/ports.ts'
import { describeAuditLog } from '../audit-log-contract.ts'
import { describeFileMoves } from '../file-moves-contract.ts'
import { describeLifecycleStore } from '../lifecycle-store-contract.ts'
import { describeMetadataStore, fileRecord, uploadRecord } from '../metadata-store-contract.ts'
import { describeUploadVerifications } from '../upload-verifications-contract.ts'
import { translatePostgresError } from './open-postgres-store.ts'

function rejectsWith(code: ErrorCode) {
  return (error: unknown) => {
    assert.ok(isAppError(error, code), `expected ${code}, got ${String(error)}`)
    return true
  }
}

const codeOf = (error: unknown) => (error instanceof AppError ? error.code : String(error))

test('PostgreSQL driver errors are translated; others pass through', () => {
  const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code })
  for (const error of [
    withCode('ECONNREFUSED'),
    withCode('ECONNRESET'),
    withCode('57P01'),
    withCode('57P03'),
    withCode('08006'),
    withCode('40001'),
    withCode('40P01'),
    withCode('57014'),
    withCode('53300'),
    new Error('Connection terminated unexpectedly'),
    new Error('timeout exceeded when trying to connect'),
    new AggregateError([withCode('ECONNREFUSED'), withCode('ECONNREFUSED')], 'connect failed'),
  ]) {
    assert.equal(codeOf(translatePostgresError(error)), 'database_unavailable', error.message)
  }
  assert.equal(codeOf(translatePostgresError(withCode('22021'))), 'invalid_request')
  for (const error of [withCode('23505'), withCode('42P01'), new Error('boom')]) {
    assert.equal(translatePostgresError(error), error)
  }
})

describe('PostgreSQL', requires('postgres'), () => {
  describeMetadataStore('postgres', () => freshPostgresStore(testDatabaseUrl()))
  describeAuditLog('postgres', () => freshPostgresStore(testDatabaseUrl()))
  describeFileMoves('postgres', () => freshPostgresStore(testDatabaseUrl()))
  describeUploadVerifications('postgres', () => freshPostgresStore(testDatabaseUrl()))
  describeLifecycleStore('postgres', () =>
    freshPostgresStore(testDatabaseUrl(), { maxConnections: 20 }),
  )

  describe('concurrency', () => {
    let fixture: PostgresStoreFixture
    let store: MetadataStore
    const ws = 'ws_race'
    before(async () => {
      // 120 writers share 20 connections while 60 of them queue on one row: on a loaded machine
      // the last wait longer than the default 5 s for a connection. Correctness is the point here.
      fixture = await freshPostgresStore(testDatabaseUrl(), {
        maxConnections: 20,
        connectionTimeoutMs: 60_000,
      })
      store = fixture.store
      await store.createWorkspace({ id: ws, name: 'Race', createdAt: new Date().toISOString() })
    })
    after(() => fixture?.teardown())

    test('racing creates of one workspace: one wins, the rest workspace_exists', async () => {
      const created_at = new Date().toISOString()
      const results = await Promise.allSettled(
        Array.from({ length: 20 }, () =>
          store.createWorkspace({ id: 'ws_dup', name: 'D', createdAt: created_at }),
        ),
      )
      const failed = results.filter((r) => r.status === 'rejected')
      assert.equal(results.length - failed.length, 1)
      for (const r of failed) assert.ok(isAppError(r.reason, 'workspace_exists'), String(r.reason))
    })

    test('60 writers on one key and 60 on different keys: every blob is current or replaced once', async () => {
      const same = Array.from({ length: 60 }, (_, i) => fileRecord(ws, 'hot/same.bam', { size: i }))
      const many = Array.from({ length: 60 }, (_, i) => fileRecord(ws, `cold/${i}.bam`))
      const results = await Promise.all(
        [...same, ...many].map((file) => store.putFile(file, { overwrite: true })),
      )
      const current = await store.getFile(ws, 'hot/same.bam')
      assert.ok(current)
      const replaced = results.map((r) => r.replacedBlobName).filter((b) => b !== null)
      // Nothing orphaned, nothing deleted twice, and the current blob never handed out for deletion.
      assert.deepEqual([...replaced, current.blobName].sort(), same.map((f) => f.blobName).sort())
      assert.equal(
        new Set(results.filter((r) => r.file.key === 'hot/same.bam').map((r) => r.file.id)).size,
        1,
      )
      const cold = await store.listFiles({
        workspaceId: ws,
        from: { key: 'cold/', inclusive: true },
        before: 'cold0',
        limit: 1000,
      })
      assert.equal(cold.length, 60)
    })

    test('racing create-only writes of a new key: one wins, the rest file_exists', async () => {
      const results = await Promise.allSettled(
        Array.from({ length: 30 }, () =>
          store.putFile(fileRecord(ws, 'once.txt'), { overwrite: false }),
        ),
      )
      const won = results.filter((r) => r.status === 'fulfilled')
      assert.equal(won.length, 1)
      for (const r of results) {
        if (r.status === 'rejected')
          assert.ok(isAppError(r.reason, 'file_exists'), String(r.reason))
      }
    })

    test('racing confirms of one upload: all answer the same file, it replaces the old one once', async () => {
      const old = fileRecord(ws, 'confirm/x.bam')
      await store.putFile(old, { overwrite: true })
      const upload = uploadRecord(ws, 'confirm/x.bam')
      await store.createUpload(upload)
      const results = await Promise.all(
        Array.from({ length: 30 }, () =>
          store.putFile(fileRecord(ws, 'confirm/x.bam', { blobName: upload.blobName }), {
            overwrite: true,
            completeUploadId: upload.id,
          }),
        ),
      )
      for (const r of results) {
        assert.equal(r.file.blobName, upload.blobName)
        assert.equal(r.file.id, old.id)
      }
      assert.deepEqual(
        results.map((r) => r.replacedBlobName).filter((b) => b !== null),
        [old.blobName],
      )
      assert.equal((await store.getUpload(upload.id))?.status, 'completed')
    })

    test('confirms of many uploads racing deletes of the key: no row ever points at a freed blob', async () => {
      const key = 'mixed/y.bam'
      const uploads = Array.from({ length: 30 }, () => uploadRecord(ws, key))
      for (const upload of uploads) await store.createUpload(upload)
      const freed: string[] = []
      await Promise.all([
        ...uploads.map(async (upload) => {
          const file = fileRecord(ws, key, { blobName: upload.blobName })
          const r = await store.putFile(file, { overwrite: true, completeUploadId: upload.id })
          if (r.replacedBlobName) freed.push(r.replacedBlobName)
        }),
        ...Array.from({ length: 30 }, async () => {
          const removed = await store.deleteFile(ws, key)
          if (removed) freed.push(removed.blobName)
        }),
      ])
      const current = await store.getFile(ws, key)
      const all = uploads.map((u) => u.blobName)
      const accounted = current ? [...freed, current.blobName] : freed
      assert.deepEqual(accounted.sort(), all.sort())
    })
  })
})

// The crash test needs a cluster of its own: an external URL cannot be stopped.
describe('PostgreSQL going away and coming back', requires('postgres-server'), () => {
  let cluster: PostgresCluster
  let fixture: PostgresStoreFixture
  before(async () => {
    cluster = await startPostgresCluster()
    fixture = await freshPostgresStore(cluster.url, { connectionTimeoutMs: 2000 })
    await fixture.store.createWorkspace({
      id: 'ws_down',
      name: 'Down',
      createdAt: new Date().toISOString(),
    })
  })
  after(async () => {
    await fixture?.store.close()
    await cluster?.stop()
  })

  test('down -> database_unavailable, in flight or not; back -> the pool recovers by itself', async () => {
    const { store } = fixture
    await store.putFile(fileRecord('ws_down', 'before.txt'), { overwrite: true })
    const inFlight = Promise.allSettled(
      Array.from({ length: 40 }, (_, i) =>
        store.putFile(fileRecord('ws_down', `flight/${i}.txt`), { overwrite: true }),
      ),
    )
    await cluster.crash()
    const settled = await inFlight
    for (const r of settled) {
      if (r.status === 'rejected') assert.equal(codeOf(r.reason), 'database_unavailable')
    }
    await assert.rejects(
      store.getFile('ws_down', 'before.txt'),
      rejectsWith('database_unavailable'),
    )
    await assert.rejects(store.check(), rejectsWith('database_unavailable'))
    await cluster.restart()
    await store.check()
    assert.equal((await store.getFile('ws_down', 'before.txt'))?.key, 'before.txt')
    // What was answered as written survived; nothing half-written is visible.
    const listed = await store.listFiles({
      workspaceId: 'ws_down',
      from: { key: 'flight/', inclusive: true },
      before: 'flight0',
      limit: 100,
    })
    settled.forEach((r, i) => {
      if (r.status === 'fulfilled') assert.ok(listed.some((f) => f.key === `flight/${i}.txt`))
    })
    for (const file of listed) assert.equal(file.size, 3)
  })
})
