import { type Kysely, sql } from 'kysely'
import type { SqlDialect, TriggerSpec } from '../sql-dialect.ts'

/**
 * Versions, trash, workspace settings and usage counters (issue 14).
 * - `files` stays the listing's only table: older versions live in `file_versions` (keyed by the
 *   file's stable id, so a move or rename keeps them), deleted files in `trash`.
 * - `files.version_id` names the current version; null for files written before this migration
 *   (their version id is then the file's id, see rows.ts).
 * - `workspace_usage` holds counters kept by triggers, so every writer (copy, move, restore, any
 *   later code) keeps them true without knowing about them, and reading usage is a few rows.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const text = dialect.byteOrderedText
  await db.schema
    .alterTable('workspaces')
    .addColumn('trash_days', 'integer', (c) => c.notNull().defaultTo(7))
    .execute()
  await db.schema
    .alterTable('workspaces')
    .addColumn('keep_versions', 'integer', (c) => c.notNull().defaultTo(10))
    .execute()
  await db.schema.alterTable('files').addColumn('version_id', text).execute()
  await createVersions(db, dialect)
  await createTrash(db, dialect)
  await createUsage(db, dialect)
}

async function createVersions(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const text = dialect.byteOrderedText
  await db.schema
    .createTable('file_versions')
    .addColumn('version_id', text, (c) => c.primaryKey())
    .addColumn('file_id', text, (c) => c.notNull())
    .addColumn('workspace_id', text, (c) => c.notNull().references('workspaces.id'))
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content_type', text, (c) => c.notNull())
    .addColumn('sha256', text, (c) => c.notNull())
    .addColumn('blob_name', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .execute()
  // A file's history newest first, and pruning its oldest, are one index range.
  await db.schema
    .createIndex('file_versions_by_file')
    .on('file_versions')
    .columns(['file_id', 'created_at', 'version_id'])
    .execute()
  await db.schema
    .createIndex('file_versions_by_blob')
    .on('file_versions')
    .column('blob_name')
    .execute()
}

async function createTrash(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const text = dialect.byteOrderedText
  await db.schema
    .createTable('trash')
    .addColumn('trash_id', text, (c) => c.primaryKey())
    .addColumn('group_id', text, (c) => c.notNull())
    .addColumn('workspace_id', text, (c) => c.notNull().references('workspaces.id'))
    .addColumn('key', text, (c) => c.notNull())
    .addColumn('file_id', text, (c) => c.notNull().unique())
    .addColumn('version_id', text)
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content_type', text, (c) => c.notNull())
    .addColumn('description', text)
    .addColumn('sha256', text, (c) => c.notNull())
    .addColumn('blob_name', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('updated_at', text, (c) => c.notNull())
    .addColumn('deleted_at', text, (c) => c.notNull())
    .addColumn('purge_at', text, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('trash_by_key')
    .on('trash')
    .columns(['workspace_id', 'key', 'trash_id'])
    .execute()
  await db.schema
    .createIndex('trash_by_group')
    .on('trash')
    .columns(['workspace_id', 'group_id'])
    .execute()
  await db.schema.createIndex('trash_by_purge').on('trash').column('purge_at').execute()
  await db.schema.createIndex('trash_by_blob').on('trash').column('blob_name').execute()
}

async function createUsage(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  // One row per (workspace, shard): writers on different connections add to different rows
  // (SqlDialect.counterShard), so concurrent uploads to one workspace never queue on a counter;
  // reading sums a workspace's few rows.
  await db.schema
    .createTable('workspace_usage')
    .addColumn('workspace_id', dialect.byteOrderedText, (c) => c.notNull())
    .addColumn('shard', 'integer', (c) => c.notNull())
    .addColumn('files', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('versions', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('version_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('trash_files', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('trash_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('workspace_usage_pkey', ['workspace_id', 'shard'])
    .execute()
  for (const trigger of usageTriggers(dialect.counterShard)) {
    await dialect.createTrigger(db, trigger)
  }
  await sql`
    insert into workspace_usage (workspace_id, shard, files, bytes)
    select f.workspace_id, 0, count(*), coalesce(sum(f.size), 0)
    from files f group by f.workspace_id`.execute(db)
}

type Counter = 'files' | 'bytes' | 'versions' | 'version_bytes' | 'trash_files' | 'trash_bytes'
const COUNTERS: readonly Counter[] = [
  'files',
  'bytes',
  'versions',
  'version_bytes',
  'trash_files',
  'trash_bytes',
]

/** Adds `deltas` (SQL over NEW / OLD) to the workspace's counters, in this writer's shard. */
function addUsage(
  row: 'NEW' | 'OLD',
  shard: string,
  deltas: Partial<Record<Counter, string>>,
): string {
  const values = COUNTERS.map((c) => deltas[c] ?? '0').join(', ')
  const sums = Object.keys(deltas)
    .map((c) => `${c} = workspace_usage.${c} + excluded.${c}`)
    .join(', ')
  return `insert into workspace_usage (workspace_id, shard, ${COUNTERS.join(', ')})
    values (${row}.workspace_id, ${shard}, ${values})
    on conflict (workspace_id, shard) do update set ${sums};`
}

/** Counters kept by every insert, delete and size change of files, versions and trash items. */
function usageTriggers(shard: string): TriggerSpec[] {
  return [
    {
      name: 'usage_files_insert',
      table: 'files',
      event: 'insert',
      body: addUsage('NEW', shard, { files: '1', bytes: 'NEW.size' }),
    },
    {
      name: 'usage_files_delete',
      table: 'files',
      event: 'delete',
      body: addUsage('OLD', shard, { files: '-1', bytes: '-OLD.size' }),
    },
    {
      name: 'usage_files_update',
      table: 'files',
      event: 'update',
      when: 'OLD.size <> NEW.size',
      body: addUsage('NEW', shard, { bytes: 'NEW.size - OLD.size' }),
    },
    {
      name: 'usage_versions_insert',
      table: 'file_versions',
      event: 'insert',
      body: addUsage('NEW', shard, { versions: '1', version_bytes: 'NEW.size' }),
    },
    {
      name: 'usage_versions_delete',
      table: 'file_versions',
      event: 'delete',
      body: addUsage('OLD', shard, { versions: '-1', version_bytes: '-OLD.size' }),
    },
    {
      name: 'usage_trash_insert',
      table: 'trash',
      event: 'insert',
      body: addUsage('NEW', shard, { trash_files: '1', trash_bytes: 'NEW.size' }),
    },
    {
      name: 'usage_trash_delete',
      table: 'trash',
      event: 'delete',
      body: addUsage('OLD', shard, { trash_files: '-1', trash_bytes: '-OLD.size' }),
    },
  ]
}
