/**
 * Jobs as rows, and one batch of a job as one transaction: the batch's files and the job's
 * progress commit together, so a kill -9 leaves every file old or new and the job resumable.
 */
import type { Kysely, Selectable, Transaction } from 'kysely'
import type { AuditContext } from '../domain/audit.ts'
import { isAppError } from '../domain/errors.ts'
import type { JobBatchResult, JobKind, JobRecord, JobStatus } from '../domain/move-ports.ts'
import { moveFolderStep } from './file-moves.ts'
import type { Database, JobsTable } from './schema.ts'
import type { SqlDialect } from './sql-dialect.ts'

export function jobRow(job: JobRecord): JobsTable {
  return {
    id: job.id,
    workspace_id: job.workspaceId,
    kind: job.kind,
    from_key: job.from,
    to_key: job.to,
    overwrite: job.overwrite ? 1 : 0,
    status: job.status,
    total: job.total,
    done: job.done,
    cursor: job.cursor,
    error_code: job.error?.code ?? null,
    error_message: job.error?.message ?? null,
    audit_context: job.audit === null ? null : JSON.stringify(job.audit),
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  }
}

export function jobRecord(row: Selectable<JobsTable>): JobRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    kind: row.kind as JobKind,
    from: row.from_key,
    to: row.to_key,
    overwrite: Number(row.overwrite) === 1,
    status: row.status as JobStatus,
    total: Number(row.total),
    done: Number(row.done),
    cursor: row.cursor,
    error:
      row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    audit: row.audit_context === null ? null : (JSON.parse(row.audit_context) as AuditContext),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}

export async function findJob(
  db: Kysely<Database> | Transaction<Database>,
  id: string,
  lock = false,
): Promise<JobRecord | undefined> {
  const row = await db
    .selectFrom('jobs')
    .selectAll()
    .where('id', '=', id)
    .$if(lock, (query) => query.forUpdate())
    .executeTakeFirst()
  return row && jobRecord(row)
}

/**
 * Locks the job's row first, so processes running the same job take turns batch by batch and
 * each reads the progress the previous batch committed.
 */
export async function jobBatchIn(
  trx: Transaction<Database>,
  id: string,
  options: { limit: number; now: string; lock: boolean; dialect: SqlDialect },
): Promise<JobBatchResult> {
  const job = await findJob(trx, id, options.lock)
  if (!job) throw new Error(`job ${id} vanished`)
  if (job.status !== 'running') return { job, freedBlobNames: [] }
  const step = await moveFolderStep(trx, {
    workspaceId: job.workspaceId,
    from: job.from,
    to: job.to,
    overwrite: job.overwrite,
    now: options.now,
    operation: job.kind,
    // Moved files leave the source folder; copied ones stay, so copies resume after a cursor.
    after: job.kind === 'copy' ? (job.cursor ?? undefined) : undefined,
    limit: options.limit,
    lock: options.lock,
    dialect: options.dialect,
    audit: job.audit ? { ...job.audit, at: options.now } : undefined,
  })
  const next: JobRecord = {
    ...job,
    done: job.done + step.count,
    cursor: step.lastKey ?? job.cursor,
    status: step.count < options.limit ? 'done' : 'running',
    updatedAt: options.now,
  }
  await saveProgress(trx, next)
  return { job: next, freedBlobNames: step.freedBlobNames }
}

/** A batch that hit a conflict (no overwrite): the job stops, saying why. */
export async function failJob(
  db: Kysely<Database>,
  id: string,
  error: unknown,
  now: string,
): Promise<JobRecord | undefined> {
  if (!isAppError(error, 'file_exists')) return undefined
  await db
    .updateTable('jobs')
    .set({
      status: 'failed',
      error_code: error.code,
      error_message: error.message,
      updated_at: now,
    })
    .where('id', '=', id)
    .where('status', '=', 'running')
    .execute()
  return findJob(db, id)
}

async function saveProgress(trx: Transaction<Database>, job: JobRecord): Promise<void> {
  await trx
    .updateTable('jobs')
    .set({ done: job.done, cursor: job.cursor, status: job.status, updated_at: job.updatedAt })
    .where('id', '=', job.id)
    .execute()
}
