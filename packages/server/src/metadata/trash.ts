/**
 * The trash (table trash): a deleted file's row, restorable with its id and its older versions
 * (which stay in file_versions under the file id) until purge_at.
 */
import type { Kysely, Selectable, Transaction } from 'kysely'
import { AppError } from '../domain/errors.ts'
import { randomId } from '../domain/ids.ts'
import { prefixUpperBound } from '../domain/keys.ts'
import type {
  FreedBlobs,
  TrashRange,
  TrashRecord,
  TrashRequest,
  TrashRestoreRequest,
} from '../domain/lifecycle-ports.ts'
import type { FileRecord } from '../domain/ports.ts'
import { releaseBlobs } from './blob-references.ts'
import { dropVersionsOf } from './file-versions.ts'
import { findFile } from './file-writes.ts'
import { fileRecord, fileRow } from './rows.ts'
import type { Database, TrashTable } from './schema.ts'

export const newTrashId = () => `tr_${randomId()}`

/** Rows are locked (PostgreSQL) before anything is written, so no writer waits on us half-way. */
export async function trashFiles(
  trx: Transaction<Database>,
  request: TrashRequest,
  lock: boolean,
): Promise<TrashRecord[]> {
  const keys = [...new Set(request.keys)].sort()
  const files: FileRecord[] = []
  for (let i = 0; i < keys.length; i += 500) {
    const rows = await trx
      .selectFrom('files')
      .selectAll()
      .where('workspace_id', '=', request.workspaceId)
      .where('key', 'in', keys.slice(i, i + 500))
      .orderBy('key')
      .$if(lock, (query) => query.forUpdate())
      .execute()
    files.push(...rows.map(fileRecord))
  }
  const items: TrashRecord[] = []
  for (const file of files) items.push(await trashOne(trx, file, request))
  return items
}

async function trashOne(
  trx: Transaction<Database>,
  file: FileRecord,
  at: { groupId: string; deletedAt: string; purgeAt: string },
): Promise<TrashRecord> {
  const item: TrashRecord = { trashId: newTrashId(), file, ...at }
  await trx.insertInto('trash').values(trashRow(item)).execute()
  await trx
    .deleteFrom('files')
    .where('workspace_id', '=', file.workspaceId)
    .where('key', '=', file.key)
    .execute()
  return item
}

export async function listTrash(db: Kysely<Database>, range: TrashRange): Promise<TrashRecord[]> {
  const upper = range.prefix === '' ? undefined : prefixUpperBound(range.prefix)
  const after = range.after
  const rows = await db
    .selectFrom('trash')
    .selectAll()
    .where('workspace_id', '=', range.workspaceId)
    .where('key', '>=', range.prefix)
    .$if(upper !== undefined, (q) => q.where('key', '<', upper as string))
    .$if(after !== undefined, (q) =>
      q.where((eb) =>
        eb.or([
          eb('key', '>', after?.key ?? ''),
          eb.and([eb('key', '=', after?.key ?? ''), eb('trash_id', '>', after?.trashId ?? '')]),
        ]),
      ),
    )
    .orderBy('key')
    .orderBy('trash_id')
    .limit(range.limit)
    .execute()
  return rows.map(trashRecord)
}

export async function getTrashItem(
  db: Kysely<Database>,
  workspaceId: string,
  trashId: string,
): Promise<TrashRecord | undefined> {
  const row = await db
    .selectFrom('trash')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('trash_id', '=', trashId)
    .executeTakeFirst()
  return row && trashRecord(row)
}

/** The item's row is deleted first: of two racing restores, the second finds nothing. */
export async function restoreTrashItem(
  trx: Transaction<Database>,
  request: TrashRestoreRequest,
  lock: boolean,
): Promise<FileRecord> {
  const row = await trx
    .deleteFrom('trash')
    .where('workspace_id', '=', request.workspaceId)
    .where('trash_id', '=', request.trashId)
    .returningAll()
    .executeTakeFirst()
  if (!row) throw trashItemNotFound(request.workspaceId, request.trashId)
  return putBack(trx, trashRecord(row), { ...request, lock })
}

export async function restoreTrashGroup(
  trx: Transaction<Database>,
  request: Omit<TrashRestoreRequest, 'trashId' | 'to'> & { groupId: string },
  lock: boolean,
): Promise<FileRecord[]> {
  const rows = await trx
    .deleteFrom('trash')
    .where('workspace_id', '=', request.workspaceId)
    .where('group_id', '=', request.groupId)
    .returningAll()
    .execute()
  if (rows.length === 0) throw trashItemNotFound(request.workspaceId, request.groupId)
  const items = rows.map(trashRecord).sort((a, b) => (a.file.key < b.file.key ? -1 : 1))
  const files: FileRecord[] = []
  for (const item of items) files.push(await putBack(trx, item, { ...request, lock }))
  return files
}

async function putBack(
  trx: Transaction<Database>,
  item: TrashRecord,
  options: Pick<TrashRestoreRequest, 'to' | 'overwrite' | 'displaced'> & { lock: boolean },
): Promise<FileRecord> {
  const key = options.to ?? item.file.key
  const existing = await findFile(trx, item.file.workspaceId, key, options.lock)
  if (existing && !options.overwrite) {
    throw new AppError(
      'file_exists',
      `A file '${key}' exists now; send "to" with another key, or "overwrite": true to send that file to the trash and restore this one.`,
    )
  }
  if (existing) await trashOne(trx, existing, options.displaced)
  const name = key.slice(key.lastIndexOf('/') + 1)
  const file: FileRecord = { ...item.file, key, name }
  await trx.insertInto('files').values(fileRow(file)).execute()
  return file
}

/** Deletes the item and its file's older versions; answers the blobs nothing refers to now. */
export async function purgeTrashItem(
  trx: Transaction<Database>,
  workspaceId: string,
  trashId: string,
): Promise<(FreedBlobs & { key: string }) | undefined> {
  const row = await trx
    .deleteFrom('trash')
    .where('workspace_id', '=', workspaceId)
    .where('trash_id', '=', trashId)
    .returningAll()
    .executeTakeFirst()
  if (!row) return undefined
  const versionBlobs = await dropVersionsOf(trx, row.file_id)
  const freedBlobNames = await releaseBlobs(trx, [row.blob_name, ...versionBlobs])
  return { key: row.key, freedBlobNames }
}

export async function listExpiredTrash(
  db: Kysely<Database>,
  now: string,
  limit: number,
): Promise<{ workspaceId: string; trashId: string }[]> {
  const rows = await db
    .selectFrom('trash')
    .select(['workspace_id', 'trash_id'])
    .where('purge_at', '<', now)
    .orderBy('purge_at')
    .limit(limit)
    .execute()
  return rows.map((row) => ({ workspaceId: row.workspace_id, trashId: row.trash_id }))
}

export function trashItemNotFound(workspaceId: string, id: string): AppError {
  return new AppError(
    'trash_item_not_found',
    `Nothing '${id}' in the trash of workspace '${workspaceId}'; it may have been restored or purged. List the trash to see what is there.`,
  )
}

function trashRow(item: TrashRecord): TrashTable {
  const file = fileRow(item.file)
  return {
    trash_id: item.trashId,
    group_id: item.groupId,
    workspace_id: file.workspace_id,
    key: file.key,
    file_id: file.id,
    version_id: file.version_id,
    size: file.size,
    content_type: file.content_type,
    description: file.description,
    sha256: file.sha256,
    blob_name: file.blob_name,
    created_at: file.created_at,
    updated_at: file.updated_at,
    deleted_at: item.deletedAt,
    purge_at: item.purgeAt,
  }
}

function trashRecord(row: Selectable<TrashTable>): TrashRecord {
  return {
    trashId: row.trash_id,
    groupId: row.group_id,
    file: fileRecord({
      workspace_id: row.workspace_id,
      key: row.key,
      id: row.file_id,
      size: row.size,
      content_type: row.content_type,
      description: row.description,
      sha256: row.sha256,
      blob_name: row.blob_name,
      created_at: row.created_at,
      updated_at: row.updated_at,
      version_id: row.version_id,
    }),
    deletedAt: row.deleted_at,
    purgeAt: row.purge_at,
  }
}
