import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { AppError } from '../../domain/errors.ts'
import { describeAuditLog } from '../audit-log-contract.ts'
import { describeFileMoves } from '../file-moves-contract.ts'
import { describeLifecycleStore } from '../lifecycle-store-contract.ts'
import { describeMetadataStore } from '../metadata-store-contract.ts'
import { describeUploadVerifications } from '../upload-verifications-contract.ts'
import { openSqliteStore, translateSqliteError } from './open-sqlite-store.ts'

async function freshSqliteStore() {
  const dir = await mkdtemp(join(tmpdir(), 'granary-sqlite-'))
  const store = await openSqliteStore(join(dir, 'granary.sqlite'))
  return {
    store,
    teardown: async () => {
      await store.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

describeMetadataStore('sqlite', freshSqliteStore)
describeAuditLog('sqlite', freshSqliteStore)
describeFileMoves('sqlite', freshSqliteStore)
describeUploadVerifications('sqlite', freshSqliteStore)
describeLifecycleStore('sqlite', freshSqliteStore)

test('a busy or failing SQLite is database_unavailable; other errors pass through', () => {
  const busy = Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' })
  const translated = translateSqliteError(busy)
  assert.ok(translated instanceof AppError)
  assert.equal(translated.code, 'database_unavailable')
  const other = new Error('boom')
  assert.equal(translateSqliteError(other), other)
})
