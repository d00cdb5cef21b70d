/**
 * Listing by prefix with cursors, and the folder view (`delimiter=/`), built on the store's
 * plain key-range scan so every page is an index range scan.
 */
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

/** One page of a listing; `nextCursor` continues it (null on the last page). */
export interface FilePage {
  files: FileRecord[]
  /** Common prefixes ending in '/': only in the folder view. */
  folders?: string[]
  nextCursor: string | null
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
      nextCursor: more ? encodeCursor({ after: last.key, skipFolder: false }) : null,
    }
  }
  return listFolderView(metadata, query, start)
}

/**
 * Files directly under the prefix and the folders below it, from one loose index scan (the store
 * skips each folder with one seek) and one fetch of the files' rows.
 */
async function listFolderView(
  metadata: MetadataStore,
  query: ListQuery,
  start: Position | undefined,
): Promise<FilePage> {
  const range = rangeFrom(query, start, query.limit + 1)
  const prefixLength = Array.from(query.prefix).length
  const keys = await metadata.listFolderEntries({ ...range, prefixLength })
  const entries = keys.slice(0, query.limit).map((key): Position => {
    const slash = key.indexOf('/', query.prefix.length)
    return slash < 0
      ? { after: key, skipFolder: false }
      : { after: key.slice(0, slash + 1), skipFolder: true }
  })
  const fileKeys = entries.filter((entry) => !entry.skipFolder).map((entry) => entry.after)
  const files = await metadata.getFiles(query.workspaceId, fileKeys)
  const folders = entries.filter((entry) => entry.skipFolder).map((entry) => entry.after)
  const last = entries.at(-1)
  return {
    files,
    folders,
    nextCursor: keys.length > query.limit && last ? encodeCursor(last) : null,
  }
}
