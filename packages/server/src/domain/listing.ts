/**
 * Listing by prefix with cursors, and the folder view (`delimiter=/`), built on the store's
 * plain key-range scan so every page is an index range scan.
 */
import type { ListFilesResponse } from '@granary/protocol'
import { AppError } from './errors.ts'
import { prefixUpperBound } from './keys.ts'
import type { FileRecord, ListRange, MetadataStore } from './ports.ts'

export interface ListQuery {
  workspaceId: string
  prefix: string
  limit: number
  cursor?: string
  delimiter?: '/'
}

/** Where a page starts: after a file key, or after everything under a folder. */
interface Position {
  after: string
  skipFolder: boolean
}

export function encodeCursor(position: Position): string {
  return Buffer.from(
    JSON.stringify({ a: position.after, f: position.skipFolder ? 1 : 0 }),
  ).toString('base64url')
}

export function decodeCursor(cursor: string): Position {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (value && typeof value === 'object' && 'a' in value && typeof value.a === 'string') {
      return { after: value.a, skipFolder: 'f' in value && value.f === 1 }
    }
  } catch {}
  throw new AppError(
    'invalid_request',
    "The 'cursor' is not valid: pass next_cursor from a previous page unchanged.",
  )
}

function rangeFrom(query: ListQuery, position: Position | undefined, limit: number): ListRange {
  const before = prefixUpperBound(query.prefix)
  const range: ListRange = {
    workspaceId: query.workspaceId,
    limit,
    ...(before ? { before } : {}),
  }
  if (position?.skipFolder) {
    const past = prefixUpperBound(position.after)
    if (past) range.from = { key: past, inclusive: true }
    else range.limit = 0
  } else if (position) {
    range.from = { key: position.after, inclusive: false }
  } else if (query.prefix) {
    range.from = { key: query.prefix, inclusive: true }
  }
  return range
}

export type FilePage = Omit<ListFilesResponse, 'files'> & {
  files: FileRecord[]
}

export async function listFiles(metadata: MetadataStore, query: ListQuery): Promise<FilePage> {
  const start = query.cursor ? decodeCursor(query.cursor) : undefined
  if (!query.delimiter) {
    const rows = await metadata.listFiles(rangeFrom(query, start, query.limit + 1))
    const files = rows.slice(0, query.limit)
    const last = files.at(-1)
    const more = rows.length > query.limit && last
    return {
      files,
      next_cursor: more ? encodeCursor({ after: last.key, skipFolder: false }) : null,
    }
  }
  return listFolderView(metadata, query, start)
}

/**
 * Files directly under the prefix and the folders below it. A folder is emitted once and then
 * skipped with one range seek, so a folder holding a million files costs one query, not a million rows.
 */
async function listFolderView(
  metadata: MetadataStore,
  query: ListQuery,
  start: Position | undefined,
): Promise<FilePage> {
  const files: FileRecord[] = []
  const folders: string[] = []
  let position = start
  let more = false
  while (!more) {
    const wanted = query.limit + 1 - files.length - folders.length
    const rows = await metadata.listFiles(rangeFrom(query, position, wanted))
    if (rows.length === 0) break
    for (const row of rows) {
      if (files.length + folders.length === query.limit) {
        more = true
        break
      }
      const slash = row.key.indexOf('/', query.prefix.length)
      if (slash < 0) {
        files.push(row)
        position = { after: row.key, skipFolder: false }
        continue
      }
      const folder = row.key.slice(0, slash + 1)
      folders.push(folder)
      position = { after: folder, skipFolder: true }
      break // re-query past the folder
    }
    if (rows.length < wanted && position && !position.skipFolder) break
  }
  return {
    files,
    folders,
    next_cursor: more && position ? encodeCursor(position) : null,
  }
}
