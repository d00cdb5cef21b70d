/**
 * Switching a key to a new version inside one transaction, on both dialects: the rules of
 * overwrite, completing an upload, and keeping the file's id.
 */
import type { Kysely, Transaction } from 'kysely'
import { type Audited, fileFacts } from '../domain/audit.ts'
import { AppError } from '../domain/errors.ts'
import type { FileRecord, PutFileResult } from '../domain/ports.ts'
import { writeEvents } from './audit-events.ts'
import { blobInUse } from './blob-references.ts'
import { fileRecord, fileRow } from './rows.ts'
import type { Database } from './schema.ts'
import type { SqlDialect } from './sql-dialect.ts'

export async function findFile(
  db: Kysely<Database>,
  workspaceId: string,
  key: string,
  lock = false,
): Promise<FileRecord | undefined> {
  const row = await db
    .selectFrom('files')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('key', '=', key)
    .$if(lock, (query) => query.forUpdate())
    .executeTakeFirst()
  return row && fileRecord(row)
}

export async function putFileIn(
  trx: Transaction<Database>,
  file: FileRecord,
  options: {
    overwrite: boolean
    completeUploadId?: string
    lock: boolean
    dialect: SqlDialect
  } & Audited,
): Promise<PutFileResult> {
  // The upload first: a racing confirm of the same upload waits here until the winner commits,
  // so the read below sees what the winner made.
  const completed = options.completeUploadId
    ? await completeUpload(trx, options.completeUploadId)
    : true
  // PostgreSQL (READ COMMITTED) lets two writers read the same version and both answer it as
  // replaced, orphaning one blob; FOR UPDATE queues them on the row. SQLite runs one
  // transaction at a time and has no FOR UPDATE.
  const existing = await findFile(trx, file.workspaceId, file.key, options.lock)
  if (!completed) {
    // A racing confirm of the same upload won; answer what it made.
    if (existing?.blobName === file.blobName) return { file: existing, replacedBlobName: null }
    throw new AppError(
      'upload_superseded',
      `A later write replaced '${file.key}'; list it to see the current version.`,
    )
  }
  if (existing && !options.overwrite) {
    throw new AppError(
      'file_exists',
      `A file '${file.key}' already exists; send overwrite=true to replace it.`,
    )
  }
  const stored = existing ? { ...file, id: existing.id, createdAt: existing.createdAt } : file
  if (existing) {
    await trx
      .updateTable('files')
      .set(fileRow(stored))
      .where('workspace_id', '=', file.workspaceId)
      .where('key', '=', file.key)
      .execute()
  } else {
    await trx.insertInto('files').values(fileRow(stored)).execute()
  }
  const action = existing ? 'file.replace' : 'file.upload'
  await writeEvents(trx, options.dialect, options.audit, [fileFacts(action, stored)])
  // A copy may share the replaced blob (file-moves.ts): then it is not ours to delete.
  const replaced = existing && !(await blobInUse(trx, existing.blobName)) ? existing.blobName : null
  return { file: stored, replacedBlobName: replaced }
}

async function completeUpload(trx: Transaction<Database>, id: string): Promise<boolean> {
  const result = await trx
    .updateTable('uploads')
    .set({ status: 'completed' })
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'received', 'verifying'])
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}
