import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/** Workspace quotas (domain/quota.ts): null is no limit, the default for every workspace. */
export async function up(db: Kysely<unknown>, _dialect: SqlDialect): Promise<void> {
  await db.schema.alterTable('workspaces').addColumn('quota_bytes', 'bigint').execute()
  await db.schema.alterTable('workspaces').addColumn('quota_files', 'bigint').execute()
}
