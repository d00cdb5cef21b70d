/**
 * Switching a key to a new version inside one transaction, on both dialects: the rules of
 * overwrite, completing an upload, and keeping the file's id.
 */
import type { Kysely, Transaction } from 'kysely'
import { type Audited, fileFacts } from '../domain/audit.ts'
import { AppError } from '../domain/errors.ts'
import { versionId } from '../domain/ids.ts'
import type { FileRecord, PutFileResult } from '../domain/ports.ts'
import { writeEvents } from './audit-events.ts'
import { keepAsVersion } from './file-versions.ts'
import { fileRecord, fileRow } from './rows.ts'
import type { Database } from './schema.ts'
import type { SqlDialect } from './sql-dialect.ts'
import { enforceQuotaIn } from './workspace-settings.ts'

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
    if (existing?.blobName === file.blobName) {
      return { file: existing, replacedBlobName: null, freedBlobNames: [] }
    }
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
  await enforceQuotaIn(trx, file.workspaceId, { files: 1, bytes: file.size }, options.lock)
  const stored = { ...file, versionId: newVersionId(file) }
  if (!existing) {
    await trx.insertInto('files').values(fileRow(stored)).execute()
    await writeEvents(trx, options.dialect, options.audit, [fileFacts('file.upload', stored)])
    return { file: stored, replacedBlobName: null, freedBlobNames: [] }
  }
  const result = await replaceContent(trx, existing, {
    ...stored,
    id: existing.id,
    createdAt: existing.createdAt,
  })
  await writeEvents(trx, options.dialect, options.audit, [fileFacts('file.replace', result.file)])
  return result
}

/** A new version's id, ordered by the time its content was written. */
export function newVersionId(file: FileRecord): string {
  return versionId(Date.parse(file.updatedAt))
}

/**
 * Switches an existing file (row locked by the caller) to `next` and keeps the replaced content
 * as an older version, pruning beyond the workspace's keep_versions.
 */
export async function replaceContent(
  trx: Transaction<Database>,
  existing: FileRecord,
  next: FileRecord,
): Promise<PutFileResult> {
  await trx
    .updateTable('files')
    .set(fileRow(next))
    .where('workspace_id', '=', existing.workspaceId)
    .where('key', '=', existing.key)
    .execute()
  const freedBlobNames = await keepAsVersion(trx, existing)
  return { file: next, replacedBlobName: existing.blobName, freedBlobNames }
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
