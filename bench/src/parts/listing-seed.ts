/**
 * Seeds N files into a fresh SQLite metadata store, as Granary would have stored them: the store
 * is created and migrated by openSqliteStore, then rows are bulk-inserted with better-sqlite3 in
 * big transactions (the same schema; no blobs). Keys are nested three deep: `p000/q000/f0000.dat`,
 * 100 files per folder and 100 folders per top-level folder.
 */
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { openSqliteStore } from '../../../packages/server/src/metadata/sqlite/open-sqlite-store.ts'

export const WORKSPACE = 'ws_default'
const PER_FOLDER = 100
const FOLDERS_PER_TOP = 100
const BATCH = 50_000

export function databasePath(dataDir: string): string {
  return join(dataDir, 'granary.sqlite')
}

/** The key of the n-th seeded file; keys increase with n. */
export function seededKey(n: number): string {
  const top = Math.floor(n / (PER_FOLDER * FOLDERS_PER_TOP))
  const folder = Math.floor(n / PER_FOLDER) % FOLDERS_PER_TOP
  const file = n % PER_FOLDER
  return `p${pad(top, 3)}/q${pad(folder, 3)}/f${pad(file, 4)}.dat`
}

/** The top-level and leaf folders that exist for `count` files. */
export function seededFolders(count: number): { tops: number; leaves: number } {
  return {
    tops: Math.ceil(count / (PER_FOLDER * FOLDERS_PER_TOP)),
    leaves: Math.ceil(count / PER_FOLDER),
  }
}

export async function seedStore(dataDir: string, count: number): Promise<number> {
  const started = performance.now()
  await (await openSqliteStore(databasePath(dataDir))).close()
  const database = new SqliteDatabase(databasePath(dataDir))
  try {
    database.pragma('journal_mode = WAL')
    database.pragma('synchronous = NORMAL') // seeding only; the server reopens it with FULL
    const now = new Date().toISOString()
    database
      .prepare('insert into workspaces (id, name, created_at) values (?, ?, ?)')
      .run(WORKSPACE, 'Default workspace', now)
    insertFiles(database, count, now)
    database.pragma('wal_checkpoint(TRUNCATE)')
  } finally {
    database.close()
  }
  return (performance.now() - started) / 1000
}

function insertFiles(database: SqliteDatabase.Database, count: number, now: string) {
  const insert = database.prepare(
    'insert into files (workspace_id, key, id, size, content_type, description, sha256,' +
      ' blob_name, created_at, updated_at) values (?, ?, ?, ?, ?, null, ?, ?, ?, ?)',
  )
  const sha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
  const batch = database.transaction((from: number, to: number) => {
    for (let n = from; n < to; n++) {
      const key = seededKey(n)
      const id = `fl_${pad(n, 8)}`
      insert.run(
        WORKSPACE,
        key,
        id,
        1000 + n,
        'application/octet-stream',
        sha256,
        `${WORKSPACE}/${id}/${key}`,
        now,
        now,
      )
    }
  })
  for (let from = 0; from < count; from += BATCH) batch(from, Math.min(count, from + BATCH))
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0')
}
