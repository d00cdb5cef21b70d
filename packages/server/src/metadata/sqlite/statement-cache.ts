import type { SqliteDatabase, SqliteStatement } from 'kysely'

/**
 * Kysely's SQLite driver prepares every query anew; on a list request preparing took about as
 * long as running the statements. This keeps the most recent statements by SQL text, so the
 * queries the server runs all day are prepared once. Reusing a statement is safe here: Kysely
 * runs one query at a time on its single connection.
 */
export function cachingStatements(database: SqliteDatabase, capacity = 200): SqliteDatabase {
  const cache = new Map<string, SqliteStatement>()
  return {
    close: () => {
      cache.clear()
      database.close()
    },
    prepare: (sql: string) => {
      let statement = cache.get(sql)
      if (statement) {
        cache.delete(sql) // re-inserted below: the map's order is least recently used first
      } else {
        statement = database.prepare(sql)
        const oldest = cache.size >= capacity ? cache.keys().next().value : undefined
        if (oldest !== undefined) cache.delete(oldest)
      }
      cache.set(sql, statement)
      return statement
    },
  }
}
