/**
 * Older versions of files (table file_versions), keyed by the file's stable id so a move keeps
 * them. The current version is the files row itself; listings never read this table.
 */
import type { Kysely, Selectable, Transaction } from 'kysely'
import { AppError } from '../domain/errors.ts'
import type { FreedBlobs, VersionRecord } from '../domain/lifecycle-ports.ts'
import type { FileRecord } from '../domain/ports.ts'
import { releaseBlobs } from './blob-references.ts'
import { findFile, newVersionId, replaceContent } from './file-writes.ts'
import type { Database, FileVersionsTable } from './schema.ts'

/** Keeps the content `replaced` just had as an older version; answers the blobs it freed. */
export async function keepAsVersion(
  trx: Transaction<Database>,
  replaced: FileRecord,
): Promise<string[]> {
  const keep = await keepVersionsOf(trx, replaced.workspaceId)
  if (keep <= 1) return releaseBlobs(trx, [replaced.blobName])
  await trx
    .insertInto('file_versions')
    .values({
      version_id: replaced.versionId ?? replaced.id,
      file_id: replaced.id,
      workspace_id: replaced.workspaceId,
      size: replaced.size,
      content_type: replaced.contentType,
      sha256: replaced.sha256,
      blob_name: replaced.blobName,
      created_at: replaced.updatedAt,
    })
    .execute()
  return pruneVersions(trx, replaced.id, keep - 1)
}

async function keepVersionsOf(trx: Kysely<Database>, workspaceId: string): Promise<number> {
  const row = await trx
    .selectFrom('workspaces')
    .select('keep_versions')
    .where('id', '=', workspaceId)
    .executeTakeFirst()
  return Number(row?.keep_versions ?? 10)
}

/** Deletes all but the `keep` newest older versions of a file; answers the blobs freed. */
async function pruneVersions(
  trx: Transaction<Database>,
  fileId: string,
  keep: number,
): Promise<string[]> {
  const doomed = await newestFirst(trx, fileId).offset(keep).limit(1_000_000).execute()
  if (doomed.length === 0) return []
  await trx
    .deleteFrom('file_versions')
    .where(
      'version_id',
      'in',
      doomed.map((v) => v.version_id),
    )
    .execute()
  return releaseBlobs(
    trx,
    doomed.map((v) => v.blob_name),
  )
}

function newestFirst(db: Kysely<Database>, fileId: string) {
  return db
    .selectFrom('file_versions')
    .selectAll()
    .where('file_id', '=', fileId)
    .orderBy('created_at', 'desc')
    .orderBy('version_id', 'desc')
}

/** Deletes every older version of a file (deleted for good); answers their blobs, unreleased. */
export async function dropVersionsOf(
  trx: Transaction<Database>,
  fileId: string,
): Promise<string[]> {
  const rows = await trx
    .deleteFrom('file_versions')
    .where('file_id', '=', fileId)
    .returning('blob_name')
    .execute()
  return rows.map((row) => row.blob_name)
}

export async function listVersions(
  db: Kysely<Database>,
  workspaceId: string,
  key: string,
): Promise<VersionRecord[] | undefined> {
  const file = await findFile(db, workspaceId, key)
  if (!file) return undefined
  const older = await newestFirst(db, file.id).execute()
  return [currentVersion(file), ...older.map(olderVersion)]
}

export async function getVersion(
  db: Kysely<Database>,
  workspaceId: string,
  key: string,
  versionId: string,
  lock = false,
): Promise<VersionRecord | undefined> {
  const file = await findFile(db, workspaceId, key, lock)
  if (!file) return undefined
  if (file.versionId === versionId) return currentVersion(file)
  const row = await db
    .selectFrom('file_versions')
    .selectAll()
    .where('version_id', '=', versionId)
    .where('file_id', '=', file.id)
    .$if(lock, (query) => query.forUpdate())
    .executeTakeFirst()
  return row && olderVersion(row)
}

/**
 * The file's row is locked first, then the version's (PostgreSQL): a racing deleteVersion waits,
 * and then sees the restored file refer to the blob, so it never frees it.
 */
export async function restoreVersion(
  trx: Transaction<Database>,
  workspaceId: string,
  key: string,
  options: { versionId: string; at: string; lock: boolean },
): Promise<(FreedBlobs & { file: FileRecord }) | undefined> {
  const file = await findFile(trx, workspaceId, key, options.lock)
  if (!file) return undefined
  const version = await getVersion(trx, workspaceId, key, options.versionId, options.lock)
  if (!version) return undefined
  const next: FileRecord = {
    ...file,
    size: version.size,
    sha256: version.sha256,
    contentType: version.contentType,
    blobName: version.blobName,
    updatedAt: options.at,
  }
  next.versionId = newVersionId(next)
  const result = await replaceContent(trx, file, next)
  return { file: result.file, freedBlobNames: result.freedBlobNames }
}

export async function deleteVersion(
  trx: Transaction<Database>,
  workspaceId: string,
  key: string,
  versionId: string,
  lock: boolean,
): Promise<FreedBlobs | undefined> {
  // The file's row first, like every writer of its versions: they queue instead of crossing.
  const file = await findFile(trx, workspaceId, key, lock)
  if (!file) return undefined
  if (file.versionId === versionId) {
    throw new AppError(
      'version_is_current',
      `Version '${versionId}' is the current content of '${key}'; delete the file instead, or restore another version first.`,
    )
  }
  const removed = await trx
    .deleteFrom('file_versions')
    .where('version_id', '=', versionId)
    .where('file_id', '=', file.id)
    .returning('blob_name')
    .executeTakeFirst()
  if (!removed) return undefined
  return { freedBlobNames: await releaseBlobs(trx, [removed.blob_name]) }
}

function currentVersion(file: FileRecord): VersionRecord {
  return {
    versionId: file.versionId ?? file.id,
    fileId: file.id,
    size: file.size,
    sha256: file.sha256,
    contentType: file.contentType,
    blobName: file.blobName,
    createdAt: file.updatedAt,
    isCurrent: true,
  }
}

function olderVersion(row: Selectable<FileVersionsTable>): VersionRecord {
  return {
    versionId: row.version_id,
    fileId: row.file_id,
    // PostgreSQL answers bigint as a string; sizes stay below 2^53.
    size: Number(row.size),
    sha256: row.sha256,
    contentType: row.content_type,
    blobName: row.blob_name,
    createdAt: row.created_at,
    isCurrent: false,
  }
}
