import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/**
 * The audit log (also the webhooks' outbox: `seq` is its cursor) and the per-file generation of
 * download links (`revoke-links` bumps it; a link signed with an older one is refused).
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const text = dialect.byteOrderedText
  const events = db.schema.createTable('audit_events')
  await dialect
    .serialKey(events, 'seq')
    .addColumn('id', text, (c) => c.notNull().unique())
    .addColumn('at', text, (c) => c.notNull())
    .addColumn('actor_key_id', text)
    .addColumn('actor_key_name', text)
    .addColumn('action', text, (c) => c.notNull())
    .addColumn('workspace_id', text)
    .addColumn('key', text)
    .addColumn('version_id', text)
    .addColumn('size', 'bigint')
    .addColumn('ip', text)
    .addColumn('request_id', text)
    .addColumn('outcome', text, (c) => c.notNull())
    .execute()
  // Retention and `since`/`until` read by time; a workspace's trail and a key's acts by seq.
  await db.schema.createIndex('audit_events_by_at').on('audit_events').column('at').execute()
  await db.schema
    .createIndex('audit_events_by_workspace')
    .on('audit_events')
    .columns(['workspace_id', 'seq'])
    .execute()
  await db.schema
    .createIndex('audit_events_by_actor')
    .on('audit_events')
    .columns(['actor_key_id', 'seq'])
    .execute()
  await db.schema
    .createTable('link_generations')
    .addColumn('file_id', text, (c) => c.primaryKey())
    .addColumn('generation', 'integer', (c) => c.notNull())
    .execute()
}
