import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/**
 * Files are keyed by (workspace_id, key) and stored in key order, so every listing is one range
 * scan: a WITHOUT ROWID table on SQLite, the primary key's index on PostgreSQL. Every text column
 * compares byte-wise (UTF-8 order) on both, whatever the database's locale: SQLite's BINARY
 * collation, PostgreSQL's "C" collation. So keys, workspace ids and timestamps sort alike.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const text = dialect.byteOrderedText
  await db.schema
    .createTable('workspaces')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .execute()
  await db.schema
    .createTable('api_keys')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('name', text, (c) => c.notNull())
    .addColumn('secret_hash', text, (c) => c.notNull().unique())
    .addColumn('scopes', text, (c) => c.notNull())
    .addColumn('workspace_ids', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('expires_at', text)
    .addColumn('revoked_at', text)
    .execute()
  const files = db.schema
    .createTable('files')
    .addColumn('workspace_id', text, (c) => c.notNull().references('workspaces.id'))
    .addColumn('key', text, (c) => c.notNull())
    .addColumn('id', text, (c) => c.notNull().unique())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content_type', text, (c) => c.notNull())
    .addColumn('description', text)
    .addColumn('sha256', text, (c) => c.notNull())
    .addColumn('blob_name', text, (c) => c.notNull())
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('updated_at', text, (c) => c.notNull())
    .addPrimaryKeyConstraint('files_pkey', ['workspace_id', 'key'])
  await dialect.clustered(files).execute()
  await db.schema
    .createTable('uploads')
    .addColumn('id', text, (c) => c.primaryKey())
    .addColumn('workspace_id', text, (c) => c.notNull().references('workspaces.id'))
    .addColumn('key', text, (c) => c.notNull())
    .addColumn('blob_name', text, (c) => c.notNull().unique())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('content_type', text, (c) => c.notNull())
    .addColumn('description', text)
    .addColumn('sha256', text)
    .addColumn('overwrite', 'integer', (c) => c.notNull())
    .addColumn('status', text, (c) => c.notNull())
    .addColumn('received_sha256', text)
    .addColumn('created_at', text, (c) => c.notNull())
    .addColumn('expires_at', text, (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('uploads_by_key')
    .on('uploads')
    .columns(['workspace_id', 'key', 'status'])
    .execute()
}
