import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/**
 * Multipart sessions: the store's id for the session, the part layout and the hard deadline.
 * The index finds expired uploads for the reaper without scanning completed ones.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('store_upload_id', 'text').execute()
  await db.schema.alterTable('uploads').addColumn('part_size', 'bigint').execute()
  await db.schema.alterTable('uploads').addColumn('part_count', 'integer').execute()
  await db.schema.alterTable('uploads').addColumn('deadline_at', 'text').execute()
  await db.schema
    .createIndex('uploads_by_expiry')
    .on('uploads')
    .columns(['status', 'expires_at'])
    .execute()
  await db.schema
    .createIndex('uploads_by_workspace')
    .on('uploads')
    .columns(['workspace_id', 'status', 'created_at'])
    .execute()
}
