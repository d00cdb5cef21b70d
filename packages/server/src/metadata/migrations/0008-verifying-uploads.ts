import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/**
 * Uploads verified in the background (S3 confirm of a large object, issue 17): how far the
 * read-back got, until when a process holds the work (a lapsed claim is picked up by any
 * process, after a restart too), and why an upload failed, for the clients that poll it.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('verified_bytes', 'bigint').execute()
  await db.schema.alterTable('uploads').addColumn('verify_claimed_until', 'text').execute()
  await db.schema.alterTable('uploads').addColumn('failure_code', 'text').execute()
  await db.schema.alterTable('uploads').addColumn('failure_message', 'text').execute()
}
