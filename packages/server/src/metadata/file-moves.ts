/**
 * Move and copy inside one transaction, on both dialects. A move changes `files.key` only (the
 * row keeps its id, so whatever hangs on the id, such as versions, follows); a copy inserts a row
 * with a new id and the same blob name. No byte is read or written.
 */
import { sql, type Transaction } from 'kysely'
import { crashPoint } from '../crash-points.ts'
import { type AuditFacts, fileFacts } from '../domain/audit.ts'
import { AppError } from '../domain/errors.ts'
import { newFileId, versionId } from '../domain/ids.ts'
import { prefixUpperBound } from '../domain/keys.ts'
import type { FileMoveResult, FolderStepResult, MoveRequest } from '../domain/move-ports.ts'
import type { FileRecord } from '../domain/ports.ts'
import { writeEvents } from './audit-events.ts'
import { queueUnreferenced } from './blob-references.ts'
import { dropVersionsOf } from './file-versions.ts'
import { findFile } from './file-writes.ts'
import { fileRecord, fileRow } from './rows.ts'
import type { Database } from './schema.ts'
import type { SqlDialect } from './sql-dialect.ts'
import { enforceQuotaIn } from './workspace-settings.ts'

/** Rows per statement: well inside both databases' limits on bound parameters. */
const CHUNK = 500

export type MoveOperation = 'move' | 'copy'

/** One file: `copyId` set makes it a copy with that id. `lock`: PostgreSQL row locks. */
export async function moveOneFile(
  trx: Transaction<Database>,
  request: MoveRequest & { copyId?: string; lock: boolean; dialect: SqlDialect },
): Promise<FileMoveResult> {
  // The source first: a racing replace or delete of it queues behind this lock (or we behind it).
  const source = await findFile(trx, request.workspaceId, request.from, request.lock)
  if (!source) throw fileNotFound(request.workspaceId, request.from)
  const target = await findFile(trx, request.workspaceId, request.to, request.lock)
  if (target && !request.overwrite) throw fileExists(request.to)
  if (target) await deleteKeys(trx, request.workspaceId, [target.key])
  let file: FileRecord
  if (request.copyId === undefined) {
    file = { ...source, key: request.to, name: nameOf(request.to) }
    await trx
      .updateTable('files')
      .set({ key: request.to })
      .where('workspace_id', '=', request.workspaceId)
      .where('key', '=', request.from)
      .execute()
  } else {
    // A copy is a new file: it counts against the quotas like an upload (after the target it
    // replaces has left the usage).
    await enforceQuotaIn(trx, request.workspaceId, { files: 1, bytes: source.size }, request.lock)
    file = copyOf(source, request.to, request.copyId, request.now)
    await trx.insertInto('files').values(fileRow(file)).execute()
  }
  // An overwritten target goes for good with its older versions (file-versions.ts).
  const dropped = target ? [target.blobName, ...(await dropVersionsOf(trx, target.id))] : []
  const freed = await queueUnreferenced(trx, dropped, request.now)
  const action = request.copyId === undefined ? 'file.move' : 'file.copy'
  await writeEvents(trx, request.dialect, request.audit, [fileFacts(action, file)])
  return { file, freedBlobNames: freed }
}

/**
 * Moves or copies the files under the folder `from` (after `after`, at most `limit`, in key order)
 * to the folder `to`. The caller guarantees neither folder contains the other, so no target key
 * is also a source key.
 */
export async function moveFolderStep(
  trx: Transaction<Database>,
  request: MoveRequest & {
    operation: MoveOperation
    after?: string | undefined
    limit?: number
    lock: boolean
    dialect: SqlDialect
  },
): Promise<FolderStepResult> {
  const sources = await sourceRows(trx, request)
  const last = sources.at(-1)
  if (!last) return { count: 0, lastKey: undefined, freedBlobNames: [] }
  const targetOf = (key: string) => request.to + key.slice(request.from.length)
  const targets = await existingFiles(
    trx,
    request.workspaceId,
    sources.map((row) => targetOf(row.key)),
    request.lock,
  )
  const first = targets[0]
  if (first && !request.overwrite) throw folderConflict(first.key, targets.length)
  await deleteKeys(
    trx,
    request.workspaceId,
    targets.map((file) => file.key),
  )
  if (request.operation === 'move') {
    await renameUnder(
      trx,
      request,
      sources.map((row) => row.key),
    )
  } else {
    const bytes = sources.reduce((sum, row) => sum + row.size, 0)
    await enforceQuotaIn(trx, request.workspaceId, { files: sources.length, bytes }, request.lock)
    const copies = sources.map((row) => copyOf(row, targetOf(row.key), newFileId(), request.now))
    for (let i = 0; i < copies.length; i += CHUNK) {
      await trx
        .insertInto('files')
        .values(copies.slice(i, i + CHUNK).map(fileRow))
        .execute()
    }
  }
  // The test's kill -9 with every file of the step written but not committed: all stay old.
  crashPoint('move.folder-written')
  const dropped = targets.map((file) => file.blobName)
  for (const target of targets) dropped.push(...(await dropVersionsOf(trx, target.id)))
  const freed = await queueUnreferenced(trx, dropped, request.now)
  const action = request.operation === 'move' ? 'file.move' : 'file.copy'
  const events = sources.map((row) => fileFacts(action, { ...row, key: targetOf(row.key) }))
  await recordEvents(trx, request, events)
  return { count: sources.length, lastKey: last.key, freedBlobNames: freed }
}

/** One event per file, in statements of CHUNK rows (a folder may hold thousands). */
async function recordEvents(
  trx: Transaction<Database>,
  request: MoveRequest & { dialect: SqlDialect },
  events: readonly AuditFacts[],
): Promise<void> {
  for (let i = 0; i < events.length; i += CHUNK) {
    await writeEvents(trx, request.dialect, request.audit, events.slice(i, i + CHUNK))
  }
}

async function sourceRows(
  trx: Transaction<Database>,
  request: MoveRequest & { after?: string | undefined; limit?: number; lock: boolean },
): Promise<FileRecord[]> {
  const upper = prefixUpperBound(request.from)
  const rows = await trx
    .selectFrom('files')
    .selectAll()
    .where('workspace_id', '=', request.workspaceId)
    .where('key', request.after === undefined ? '>=' : '>', request.after ?? request.from)
    .$if(upper !== undefined, (query) => query.where('key', '<', upper as string))
    .orderBy('key')
    .$if(request.limit !== undefined, (query) => query.limit(request.limit as number))
    .$if(request.lock, (query) => query.forUpdate())
    .execute()
  return rows.map(fileRecord)
}

async function existingFiles(
  trx: Transaction<Database>,
  workspaceId: string,
  keys: readonly string[],
  lock: boolean,
): Promise<FileRecord[]> {
  const found: FileRecord[] = []
  for (let i = 0; i < keys.length; i += CHUNK) {
    const rows = await trx
      .selectFrom('files')
      .selectAll()
      .where('workspace_id', '=', workspaceId)
      .where('key', 'in', keys.slice(i, i + CHUNK))
      .orderBy('key')
      .$if(lock, (query) => query.forUpdate())
      .execute()
    found.push(...rows.map(fileRecord))
  }
  return found
}

/** One UPDATE per chunk: the new key is `to` plus what follows `from` (lengths in code points). */
async function renameUnder(
  trx: Transaction<Database>,
  request: MoveRequest,
  keys: readonly string[],
): Promise<void> {
  const start = Array.from(request.from).length + 1
  for (let i = 0; i < keys.length; i += CHUNK) {
    await trx
      .updateTable('files')
      .set({ key: sql<string>`${request.to} || substr(key, cast(${start} as integer))` })
      .where('workspace_id', '=', request.workspaceId)
      .where('key', 'in', keys.slice(i, i + CHUNK))
      .execute()
  }
}

async function deleteKeys(
  trx: Transaction<Database>,
  workspaceId: string,
  keys: readonly string[],
): Promise<void> {
  for (let i = 0; i < keys.length; i += CHUNK) {
    await trx
      .deleteFrom('files')
      .where('workspace_id', '=', workspaceId)
      .where('key', 'in', keys.slice(i, i + CHUNK))
      .execute()
  }
}

/** Counts the files under `prefix`, reading at most `cap + 1` index entries. */
export async function countUnder(
  trx: Transaction<Database> | import('kysely').Kysely<Database>,
  workspaceId: string,
  prefix: string,
  cap: number,
): Promise<number> {
  const upper = prefixUpperBound(prefix)
  const inner = trx
    .selectFrom('files')
    .select('key')
    .where('workspace_id', '=', workspaceId)
    .where('key', '>=', prefix)
    .$if(upper !== undefined, (query) => query.where('key', '<', upper as string))
    .limit(cap + 1)
  const row = await trx
    .selectFrom(inner.as('under'))
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

/** A copy is a new file: new id, and a version id of its own (versions are keyed by it). */
function copyOf(source: FileRecord, key: string, id: string, now: string): FileRecord {
  const version = versionId(Date.parse(now))
  return {
    ...source,
    id,
    key,
    name: nameOf(key),
    versionId: version,
    createdAt: now,
    updatedAt: now,
  }
}

function nameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1)
}

function fileNotFound(workspaceId: string, key: string): AppError {
  return new AppError('file_not_found', `No file '${key}' in workspace '${workspaceId}'.`)
}

function fileExists(key: string): AppError {
  return new AppError(
    'file_exists',
    `A file '${key}' already exists; send overwrite=true to replace it.`,
  )
}

function folderConflict(key: string, count: number): AppError {
  const others = count > 1 ? ` (and ${count - 1} more)` : ''
  return new AppError(
    'file_exists',
    `A file '${key}'${others} already exists in the target folder; send overwrite=true to replace them, or pick another folder.`,
  )
}
