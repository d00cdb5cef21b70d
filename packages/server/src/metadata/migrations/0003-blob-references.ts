import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/** The orphan sweep asks, for each blob in the store, whether a file refers to it. */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.createIndex('files_by_blob').on('files').column('blob_name').execute()
}
