import { resolve } from 'node:path'
import type { Command } from 'commander'
import type { RunIO } from './context.ts'
import { CliError } from './errors.ts'
import { humanSize } from './format.ts'
import { defaultDataDir, importServer, type LoadServer, loadServerFunction } from './serve.ts'

interface BackupReport {
  destination: string
  created_at: string
  blobs: number
  bytes: number
  linked: number
  copied: number
  attempts: number
}

interface RestoreReport {
  dataDir: string
  manifest: { created_at: string; blobs: number; bytes: number }
  linked: number
  copied: number
}

type Backup = (options: { dataDir: string; destination: string }) => Promise<BackupReport>
type Restore = (options: { source: string; dataDir: string }) => Promise<RestoreReport>

const DATA_DIR_HELP =
  'data folder of the embedded store (env GRANARY_DATA_DIR, default $XDG_DATA_HOME/granary or ~/.local/share/granary)'

/**
 * `admin backup` and `admin restore`: they work on the data folder itself (no server call), so
 * they run on the machine that serves it, with the server package installed.
 */
export function registerMaintenanceCommands(
  admin: Command,
  io: RunIO,
  load: LoadServer = importServer,
): void {
  admin
    .command('backup <dir>')
    .description(
      'Back up the embedded store (SQLite + blobs) into a new folder, while the server runs',
    )
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .addHelpText(
      'after',
      '\nBlobs are hard-linked where <dir> is on the same file system (no bytes copied), copied otherwise.\n' +
        'PostgreSQL and S3 deployments back up with their own tools (pg_dump, bucket versioning).\n' +
        '\nExample:\n  granary admin backup /backups/granary-$(date +%F)',
    )
    .action(async (dir: string, options: { dataDir?: string }, command: Command) => {
      const dataDir = embeddedDataDir(io, options.dataDir)
      const backup = await loadServerFunction<Backup>(load, 'backupDataFolder')
      const report = await backup({ dataDir, destination: resolve(dir) })
      if (wantsJson(command)) {
        io.stdout.write(`${JSON.stringify(report)}\n`)
        return
      }
      io.stdout.write(
        `backed up ${dataDir} to ${report.destination}\n` +
          `  ${report.blobs} blobs, ${humanSize(report.bytes)} ` +
          `(${report.linked} hard-linked, ${report.copied} copied)\n`,
      )
    })
  admin
    .command('restore <dir>')
    .description('Restore a backup made by `admin backup` into an empty data folder')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .addHelpText(
      'after',
      '\nStop the server first; start it again on the restored folder.\n' +
        '\nExample:\n  granary admin restore /backups/granary-2026-11-30 --data-dir ./data',
    )
    .action(async (dir: string, options: { dataDir?: string }, command: Command) => {
      const dataDir = embeddedDataDir(io, options.dataDir)
      const restore = await loadServerFunction<Restore>(load, 'restoreDataFolder')
      const report = await restore({ source: resolve(dir), dataDir })
      if (wantsJson(command)) {
        io.stdout.write(`${JSON.stringify(report)}\n`)
        return
      }
      io.stdout.write(
        `restored the backup of ${report.manifest.created_at} into ${report.dataDir}\n` +
          `  ${report.manifest.blobs} blobs, ${humanSize(report.manifest.bytes)}\n`,
      )
    })
}

function embeddedDataDir(io: RunIO, flag: string | undefined): string {
  const env = io.env ?? {}
  if (env.GRANARY_DATABASE_URL || (env.GRANARY_STORAGE && env.GRANARY_STORAGE !== 'local')) {
    throw new CliError(
      'backup and restore cover the embedded store (SQLite + data folder); back up PostgreSQL with pg_dump and S3 with its own versioning or replication',
      { code: 'not_embedded' },
    )
  }
  return resolve(flag ?? (env.GRANARY_DATA_DIR || defaultDataDir(env)))
}

function wantsJson(command: Command): boolean {
  return Boolean(command.optsWithGlobals().json)
}
