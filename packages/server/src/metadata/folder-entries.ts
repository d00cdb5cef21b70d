import { type Kysely, sql } from 'kysely'
import type { ListRange } from '../domain/ports.ts'
import { type ReusableQuery, reusableQuery } from './reusable-query.ts'
import type { Database } from './schema.ts'
import type { SqlDialect } from './sql-dialect.ts'

type EntriesQuery = ReusableQuery<
  [workspaceId: string, from: string, before: string, start: number, length: number, limit: number],
  { k: string }
>

/** Compiled once per dialect and shape of range (with or without each bound). */
const queries = new WeakMap<SqlDialect, Map<string, EntriesQuery>>()

/**
 * The folder view's entries as a loose index scan in one recursive statement: each step seeks the
 * next key past the current file, or past the whole folder the current key is in, so a page of
 * 100 folders holding a million files reads about 100 index entries. Works on SQLite and
 * PostgreSQL (the dialect names the string functions); lengths are in code points.
 */
export async function folderEntries(
  db: Kysely<Database>,
  dialect: SqlDialect,
  range: ListRange & { prefixLength: number },
): Promise<string[]> {
  const fromOp = range.from ? (range.from.inclusive ? '>=' : '>') : undefined
  const hasBefore = range.before !== undefined
  const shape = `${fromOp ?? ''}|${hasBefore}`
  const byShape = queries.get(dialect) ?? new Map<string, EntriesQuery>()
  queries.set(dialect, byShape)
  const query = byShape.get(shape) ?? entriesQuery(dialect, fromOp, hasBefore)
  byShape.set(shape, query)
  const rows = await query(
    db,
    range.workspaceId,
    range.from?.key ?? '',
    range.before ?? '',
    range.prefixLength + 1,
    range.prefixLength,
    range.limit,
  )
  return rows.map((row) => row.k)
}

function entriesQuery(
  dialect: SqlDialect,
  fromOp: '>=' | '>' | undefined,
  hasBefore: boolean,
): EntriesQuery {
  return reusableQuery(
    (_db, ws: string, fromKey: string, beforeKey: string, start, length, limit) => {
      const rest = sql`substr(w.k, cast(${start} as integer))`
      const slash = dialect.position(rest, sql`'/'`)
      // The folder's successor: the key up to its '/', with '/' replaced by '0' (the next character).
      const folderEnd = sql`cast(${length} as integer) + ${slash} - 1`
      // Past a file: the key plus U+0001, the smallest string above it that a key could start with
      // (keys hold no control characters). One lower bound, so SQLite seeks with it.
      const past = sql`case when ${slash} > 0 then substr(w.k, 1, ${folderEnd}) || '0' else w.k || ${dialect.char(1)} end`
      const from = fromOp ? sql`and key ${sql.raw(fromOp)} ${fromKey}` : sql``
      const before = hasBefore ? sql`and key < ${beforeKey}` : sql``
      return sql<{ k: string }>`
    with recursive w(k, n) as (
      select (select key from files where workspace_id = ${ws} ${from} ${before} order by key limit 1), 1
      union all
      select (select key from files where workspace_id = ${ws} and key >= ${past} ${before}
              order by key limit 1), w.n + 1
      from w where w.k is not null and w.n < cast(${limit} as integer)
    )
    select k from w where k is not null`
    },
  )
}
