/**
 * The reads nearly every request makes (its API key, its workspace, a page of files), compiled
 * once (reusable-query.ts) instead of rebuilt by Kysely on every call.
 */
import type { Kysely, Selectable } from 'kysely'
import type { ListRange } from '../domain/ports.ts'
import { type ReusableQuery, reusableQuery } from './reusable-query.ts'
import type { Database, FilesTable } from './schema.ts'

type FileRow = Selectable<FilesTable>

export const keyBySecretHash = reusableQuery((db, secretHash: string) =>
  db.selectFrom('api_keys').selectAll().where('secret_hash', '=', secretHash),
)

export const workspaceById = reusableQuery((db, id: string) =>
  db.selectFrom('workspaces').selectAll().where('id', '=', id),
)

type PageQuery = ReusableQuery<[string, string, string, number], FileRow>

/** One compiled page query per shape of range: with or without each bound. */
const pageQueries = new Map<string, PageQuery>()

/** The files of `range` in key order (`limit` > 0). */
export function filePage(db: Kysely<Database>, range: ListRange): Promise<FileRow[]> {
  const from = range.from ? (range.from.inclusive ? '>=' : '>') : undefined
  const hasBefore = range.before !== undefined
  const shape = `${from ?? ''}|${hasBefore}`
  let query = pageQueries.get(shape)
  if (!query) {
    query = reusableQuery((db, workspaceId: string, fromKey: string, before: string, limit) => {
      let page = db.selectFrom('files').selectAll().where('workspace_id', '=', workspaceId)
      if (from) page = page.where('key', from, fromKey)
      if (hasBefore) page = page.where('key', '<', before)
      return page.orderBy('key').limit(limit)
    })
    pageQueries.set(shape, query)
  }
  return query(db, range.workspaceId, range.from?.key ?? '', range.before ?? '', range.limit)
}
