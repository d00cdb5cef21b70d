import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { AppError } from '../../domain/errors.ts'
import { KyselyMetadataStore } from '../kysely-metadata-store.ts'
import type { Database } from '../schema.ts'
import { sqliteDialect } from './sqlite-dialect.ts'
import { cachingStatements } from './statement-cache.ts'

/**
 * Opens the embedded SQLite store: WAL with synchronous=FULL so a committed file survives a power
 * cut, and a busy timeout so a second process waits instead of failing.
 */
export async function openSqliteStore(
  filename: string,
  /** keyCacheMs: how long a found API key is trusted before it is read again (0: never). */
  options: { keyCacheMs?: number } = {},
): Promise<KyselyMetadataStore> {
  if (filename !== ':memory:') mkdirSync(dirname(filename), { recursive: true })
  const database = new SqliteDatabase(filename)
  database.pragma('journal_mode = WAL')
  database.pragma('synchronous = FULL')
  database.pragma('busy_timeout = 5000')
  database.pragma('foreign_keys = ON')
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: cachingStatements(database) }),
  })
  const store = new KyselyMetadataStore({
    db,
    dialect: sqliteDialect,
    translateError: translateSqliteError,
    isUniqueViolation: (error) => {
      const code = (error as { code?: unknown } | undefined)?.code
      return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE'
    },
    ...(options.keyCacheMs !== undefined ? { keyCacheMs: options.keyCacheMs } : {}),
  })
  await store.migrate()
  return store
}

/** SQLite's codes (better-sqlite3 puts them in `code`) to Granary's errors. */
export function translateSqliteError(error: unknown): unknown {
  if (error instanceof AppError || !(error instanceof Error)) return error
  const code = (error as { code?: unknown }).code
  if (
    code === 'SQLITE_BUSY' ||
    code === 'SQLITE_LOCKED' ||
    code === 'SQLITE_IOERR' ||
    code === 'SQLITE_FULL'
  ) {
    return new AppError(
      'database_unavailable',
      'The database is busy or unavailable; retry shortly.',
      { cause: error },
    )
  }
  return error
}
