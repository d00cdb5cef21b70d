import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/**
 * The API key that asked for each upload URL, so revoking the key withdraws its upload URLs as
 * it does its download links (local PUTs are refused with link_revoked). Null for uploads made
 * before this migration: they keep working until they expire, as they did.
 */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('uploads').addColumn('issued_by', 'text').execute()
}
