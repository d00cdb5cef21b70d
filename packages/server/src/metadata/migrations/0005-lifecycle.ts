import { type Kysely, sql } from 'kysely'
import type { SqlDialect, TriggerSpec } from '../sql-dialect.ts'

/**
 * Versions, trash, workspace settings and usage counters (issue 14).
 * - `files` stays the listing's only table: older versions live in `file_versions` (keyed by the
 *   file's stable id, so a move or rename keeps them), deleted files in `trash`.
 * - `files.version_id` names the current version; null for files written before this migration
 *   (their version id is then the file's id, see rows.ts).
 * - `workspace_usage` holds counters kept by triggers, so every writer (copy, move, restore, any
 *   later code) keeps them true without knowing about them, and reading usage is one row.
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
  await db.schema
    .createTable('workspace_usage')
    .addColumn('workspace_id', dialect.byteOrderedText, (c) =>
      c.primaryKey().references('workspaces.id'),
    )
    .addColumn('files', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('versions', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('version_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('trash_files', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('trash_bytes', 'bigint', (c) => c.notNull().defaultTo(0))
    .execute()
  for (const trigger of USAGE_TRIGGERS) await dialect.createTrigger(db, trigger)
  await backfillUsage(db)
}

/** Counts what existed before the triggers. */
async function backfillUsage(db: Kysely<unknown>): Promise<void> {
  await sql`
    insert into workspace_usage (workspace_id, files, bytes)
    select w.id,
      (select count(*) from files f where f.workspace_id = w.id),
      (select coalesce(sum(f.size), 0) from files f where f.workspace_id = w.id)
    from workspaces w`.execute(db)
}

const usage = (set: string, workspace: 'NEW' | 'OLD') =>
  `update workspace_usage set ${set} where workspace_id = ${workspace}.workspace_id;`

/** One counter row per workspace, kept by every insert, delete and size change. */
const USAGE_TRIGGERS: readonly TriggerSpec[] = [
  {
    name: 'workspace_usage_row',
    table: 'workspaces',
    event: 'insert',
    body: 'insert into workspace_usage (workspace_id) values (NEW.id);',
  },
  {
    name: 'usage_files_insert',
    table: 'files',
    event: 'insert',
    body: usage('files = files + 1, bytes = bytes + NEW.size', 'NEW'),
  },
  {
    name: 'usage_files_delete',
    table: 'files',
    event: 'delete',
    body: usage('files = files - 1, bytes = bytes - OLD.size', 'OLD'),
  },
  {
    name: 'usage_files_update',
    table: 'files',
    event: 'update',
    when: 'OLD.size <> NEW.size',
    body: usage('bytes = bytes + NEW.size - OLD.size', 'NEW'),
  },
  {
    name: 'usage_versions_insert',
    table: 'file_versions',
    event: 'insert',
    body: usage('versions = versions + 1, version_bytes = version_bytes + NEW.size', 'NEW'),
  },
  {
    name: 'usage_versions_delete',
    table: 'file_versions',
    event: 'delete',
    body: usage('versions = versions - 1, version_bytes = version_bytes - OLD.size', 'OLD'),
  },
  {
    name: 'usage_trash_insert',
    table: 'trash',
    event: 'insert',
    body: usage('trash_files = trash_files + 1, trash_bytes = trash_bytes + NEW.size', 'NEW'),
  },
  {
    name: 'usage_trash_delete',
    table: 'trash',
    event: 'delete',
    body: usage('trash_files = trash_files - 1, trash_bytes = trash_bytes - OLD.size', 'OLD'),
  },
]
