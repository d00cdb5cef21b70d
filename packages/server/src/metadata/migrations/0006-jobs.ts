import type { Kysely } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/**
 * Jobs: folder moves and copies too big for one transaction, run in batches (domain/jobs.ts).
 * Each batch commits its files with the job's progress, so a restarted server resumes where the
 * last commit left it. The index finds running jobs to resume.
 */
export async function up(db: Kysely<unknown>, dialect: SqlDialect): Promise<void> {
  const text = dialect.byteOrderedText
  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspace_id', 'text', (c) => c.notNull().references('workspaces.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_key', text, (c) => c.notNull())
    .addColumn('to_key', text, (c) => c.notNull())
    .addColumn('overwrite', 'integer', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('total', 'bigint', (c) => c.notNull())
    .addColumn('done', 'bigint', (c) => c.notNull())
    .addColumn('cursor', text)
    .addColumn('error_code', 'text')
    .addColumn('error_message', 'text')
    .addColumn('audit_context', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute()
  await db.schema
    .createIndex('jobs_by_status')
    .on('jobs')
    .columns(['status', 'created_at'])
    .execute()
}
