/**
 * `granary admin restore <dir>`: a backup made by backup.ts into an empty data folder. The
 * database is copied (the server will write to it); the blobs are hard-linked, as they are
 * never written again.
 */
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { AppError } from '../domain/errors.ts'
import { requireEmptyFolder } from './backup.ts'
import { copyTopLevelFiles, linkTree } from './data-folder.ts'
import {
  BACKUP_MANIFEST,
  type BackupManifest,
  BLOBS_FOLDER,
  DATABASE_FILE,
  referencedBlobs,
} from './data-folder-layout.ts'

export interface RestoreReport {
  dataDir: string
  manifest: BackupManifest
  linked: number
  copied: number
}

export async function restoreDataFolder(options: {
  source: string
  dataDir: string
}): Promise<RestoreReport> {
  const { source, dataDir } = options
  const manifest = await readManifest(source)
  await requireEmptyFolder(dataDir, 'restore')
  await mkdir(dataDir, { recursive: true })
  await copyFile(join(source, DATABASE_FILE), join(dataDir, DATABASE_FILE))
  await copyTopLevelFiles(source, dataDir, {
    skip: (name) => name === DATABASE_FILE || name === BACKUP_MANIFEST,
  })
  const counts = await linkTree(join(source, BLOBS_FOLDER), join(dataDir, BLOBS_FOLDER))
  for (const name of referencedBlobs(join(dataDir, DATABASE_FILE))) {
    if (!(await stat(join(dataDir, BLOBS_FOLDER, name)).catch(() => undefined))) {
      throw new AppError(
        'invalid_request',
        `The backup in ${source} lacks the blob ${name} its database refers to; it is damaged.`,
      )
    }
  }
  return { dataDir, manifest, ...counts }
}

async function readManifest(source: string): Promise<BackupManifest> {
  const text = await readFile(join(source, BACKUP_MANIFEST), 'utf8').catch(() => undefined)
  const manifest = text === undefined ? undefined : parseManifest(text)
  if (manifest?.format !== 1) {
    throw new AppError(
      'invalid_request',
      `${source} is not a finished Granary backup (no ${BACKUP_MANIFEST}); pick the folder \`granary admin backup\` wrote.`,
    )
  }
  return manifest as BackupManifest
}

function parseManifest(text: string): Partial<BackupManifest> | undefined {
  try {
    return JSON.parse(text) as Partial<BackupManifest>
  } catch {
    return undefined
  }
}
