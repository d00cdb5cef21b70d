/**
 * `granary admin backup <dir>` for the embedded default (SQLite + a data folder), safe while
 * the server runs: a consistent copy of the database through SQLite's online backup API, then
 * the blobs as hard links (a copy where the folder is on another file system). Blobs are
 * immutable, so a link is a backup of its bytes; the only race is a blob deleted between the
 * database copy and its link, and that is caught by checking every blob the copied database
 * refers to, then starting again.
 */
import { mkdir, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { GRANARY_VERSION } from '@granary/protocol'
import SqliteDatabase from 'better-sqlite3'
import { AppError } from '../domain/errors.ts'
import { copyTopLevelFiles, linkFile, linkTree } from './data-folder.ts'
import {
  BACKUP_MANIFEST,
  type BackupManifest,
  BLOBS_FOLDER,
  DATABASE_FILE,
  referencedBlobs,
} from './data-folder-layout.ts'

export interface BackupReport extends BackupManifest {
  destination: string
  /** Blobs hard-linked (no bytes copied) and blobs copied (another file system). */
  linked: number
  copied: number
  /** Attempts it took: a blob deleted while the backup ran makes it start again. */
  attempts: number
}

const MAX_ATTEMPTS = 5

export async function backupDataFolder(options: {
  dataDir: string
  destination: string
  now?: () => Date
}): Promise<BackupReport> {
  const { dataDir, destination } = options
  const source = join(dataDir, DATABASE_FILE)
  if (!(await isFile(source))) {
    throw new AppError(
      'invalid_request',
      `No embedded database at ${source}. Backup covers the default SQLite + data folder set-up; ` +
        'PostgreSQL and S3 deployments back up with their own tools (docs/deploy-production.md).',
    )
  }
  await requireEmptyFolder(destination, 'backup')
  for (let attempt = 1; ; attempt++) {
    const report = await backupOnce(dataDir, destination, options.now ?? (() => new Date()))
    if (report.missing.length === 0) return { ...report.result, attempts: attempt }
    if (attempt === MAX_ATTEMPTS) {
      throw new AppError(
        'storage_unavailable',
        `${report.missing.length} blob(s) the database refers to are missing from ${join(dataDir, BLOBS_FOLDER)} ` +
          `(first: ${report.missing[0]}); run \`granary admin scrub\` to see which files are affected.`,
      )
    }
    await rm(destination, { recursive: true, force: true })
    await mkdir(destination, { recursive: true })
  }
}

async function backupOnce(
  dataDir: string,
  destination: string,
  now: () => Date,
): Promise<{ result: Omit<BackupReport, 'attempts'>; missing: string[] }> {
  await mkdir(destination, { recursive: true })
  const blobsCopy = join(destination, BLOBS_FOLDER)
  // Blobs first, then the database, then the blobs written in between: a blob is complete
  // before any row names it, so only one deleted in the short gap after the copy can be
  // missing (a replaced or deleted file's bytes), and that makes the attempt start again.
  const counts = await linkTree(join(dataDir, BLOBS_FOLDER), blobsCopy)
  const databaseCopy = join(destination, DATABASE_FILE)
  await copyDatabase(join(dataDir, DATABASE_FILE), databaseCopy)
  await copyTopLevelFiles(dataDir, destination, { skip: isDatabaseFile })
  const blobs = referencedBlobs(databaseCopy)
  const missing: string[] = []
  let bytes = 0
  for (const name of blobs) {
    let size = await fileSize(join(blobsCopy, name))
    if (size === undefined) {
      const outcome = await linkFile(join(dataDir, BLOBS_FOLDER, name), join(blobsCopy, name))
      if (outcome !== 'gone') counts[outcome]++
      size = await fileSize(join(blobsCopy, name))
    }
    if (size === undefined) missing.push(name)
    else bytes += size
  }
  const manifest: BackupManifest = {
    format: 1,
    granary_version: GRANARY_VERSION,
    created_at: now().toISOString(),
    blobs: blobs.length,
    bytes,
  }
  await writeFile(join(destination, BACKUP_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`)
  return { result: { ...manifest, destination, ...counts }, missing }
}

/**
 * The online backup API copies pages in steps; a write by the server between steps makes it
 * start over, so the result is always one committed state. After the first step it copies the
 * rest in one go, which keeps a busy server from restarting it forever.
 */
async function copyDatabase(source: string, target: string): Promise<void> {
  const database = new SqliteDatabase(source, { readonly: true, fileMustExist: true })
  try {
    database.pragma('busy_timeout = 5000')
    await database.backup(target, { progress: ({ totalPages }) => Math.max(totalPages, 100) })
  } finally {
    database.close()
  }
}

function isDatabaseFile(name: string): boolean {
  return name === DATABASE_FILE || name.startsWith(`${DATABASE_FILE}-`)
}

export async function requireEmptyFolder(path: string, what: 'backup' | 'restore'): Promise<void> {
  const entries = await readdir(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  if (entries.length > 0) {
    throw new AppError(
      'invalid_request',
      what === 'backup'
        ? `${path} is not empty; back up into a new or empty folder.`
        : `${path} is not empty; restore into a new or empty data folder (move the old one aside first).`,
    )
  }
}

async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false
}

async function fileSize(path: string): Promise<number | undefined> {
  const info = await stat(path).catch(() => undefined)
  return info?.isFile() ? info.size : undefined
}
