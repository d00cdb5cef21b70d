import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/**
 * Blobs whose deletion a committed change promised: written in the delete's transaction, removed
 * once the bytes are gone, retried until then (domain/blob-deletions.ts).
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema
    .createTable('pending_deletions')
    .addColumn('blob_name', 'text', (column) => column.primaryKey())
    .addColumn('queued_at', 'text', (column) => column.notNull())
    .addColumn('attempts', 'integer', (column) => column.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (column) => column.notNull())
    .execute()
  await db.schema
    .createIndex('pending_deletions_by_due')
    .on('pending_deletions')
    .column('next_attempt_at')
    .execute()
}
