/** What the embedded default keeps in its data folder, as backup and restore see it. */
import SqliteDatabase from 'better-sqlite3'

export const DATABASE_FILE = 'granary.sqlite'
export const BLOBS_FOLDER = 'blobs'
export const BACKUP_MANIFEST = 'granary-backup.json'

/** Written last into a backup folder: its presence means the backup finished. */
export interface BackupManifest {
  format: 1
  granary_version: string
  created_at: string
  /** Blobs the backed-up database refers to, and their bytes. */
  blobs: number
  bytes: number
}

// Uploads name blobs that may not exist yet; the deletion queue names blobs on their way out.
const TABLES_NOT_HOLDING_BLOBS = new Set(['uploads', 'pending_deletions'])

/**
 * Every blob a database refers to: the blob_name column of each table that keeps files
 * (current files, and the versions and trash later migrations add), so a new table of that
 * kind is covered without touching this module.
 */
export function referencedBlobs(databaseFile: string): string[] {
  const database = new SqliteDatabase(databaseFile, { readonly: true, fileMustExist: true })
  try {
    const tables = database
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .pluck()
      .all() as string[]
    const names = new Set<string>()
    for (const table of tables) {
      if (TABLES_NOT_HOLDING_BLOBS.has(table)) continue
      const columns = database.prepare(`PRAGMA table_info("${table}")`).all() as { name: string }[]
      if (!columns.some((column) => column.name === 'blob_name')) continue
      const rows = database.prepare(`SELECT DISTINCT blob_name FROM "${table}"`).pluck().all()
      for (const name of rows) if (typeof name === 'string') names.add(name)
    }
    return [...names].sort()
  } finally {
    database.close()
  }
}
