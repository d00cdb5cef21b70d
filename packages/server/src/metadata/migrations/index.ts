import type { Kysely, Migration, MigrationProvider } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'
import * as initial from './0001-initial.ts'
import * as multipartSessions from './0002-multipart-sessions.ts'
import * as blobReferences from './0003-blob-references.ts'
import * as pendingDeletions from './0004-pending-deletions.ts'
import * as lifecycle from './0005-lifecycle.ts'
import * as jobs from './0006-jobs.ts'
import * as auditEvents from './0007-audit-events.ts'
import * as verifyingUploads from './0008-verifying-uploads.ts'
import * as webhooks from './0009-webhooks.ts'
import * as workspaceQuotas from './0017-workspace-quotas.ts'
import * as uploadIssuers from './0018-upload-issuers.ts'

interface DialectMigration {
  up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void>
}

/** Append-only: never edit a released migration, add the next one. */
const MIGRATIONS: Readonly<Record<string, DialectMigration>> = {
  '0001-initial': initial,
  '0002-multipart-sessions': multipartSessions,
  '0003-blob-references': blobReferences,
  '0004-pending-deletions': pendingDeletions,
  '0005-lifecycle': lifecycle,
  '0006-jobs': jobs,
  '0007-audit-events': auditEvents,
  '0008-verifying-uploads': verifyingUploads,
  '0009-webhooks': webhooks,
  '0017-workspace-quotas': workspaceQuotas,
  '0018-upload-issuers': uploadIssuers,
}

/** Hands Kysely's Migrator our migrations, each told which database it runs on. */
export class GranaryMigrations implements MigrationProvider {
  readonly #dialect: SqlDialect

  constructor(dialect: SqlDialect) {
    this.#dialect = dialect
  }

  async getMigrations(): Promise<Record<string, Migration>> {
    const dialect = this.#dialect
    return Object.fromEntries(
      Object.entries(MIGRATIONS).map(([name, m]) => [
        name,
        { up: (db: Kysely<unknown>) => m.up(db, dialect) },
      ]),
    )
  }
}
