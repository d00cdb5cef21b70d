import type { FileInfo, FileVersion, Job, MoveResult } from '@granary/client'
import type { Command } from 'commander'
import { type Context, contextFor, type RunIO } from './context.ts'
import { UsageError } from './errors.ts'
import { humanSize, shortDate, table } from './format.ts'

interface MoveFlags {
  overwrite?: boolean
}

/** `mv`, `cp`, `versions` and `restore`: keys and history, never bytes. */
export function registerLifecycleCommands(program: Command, io: RunIO): void {
  for (const operation of ['mv', 'cp'] as const) {
    const verb = operation === 'mv' ? 'Move or rename' : 'Copy'
    program
      .command(operation)
      .description(
        operation === 'mv'
          ? 'Move or rename a file (or a folder/ with its files); no byte is copied'
          : 'Copy a file (or a folder/ with its files); the copy shares the bytes',
      )
      .argument('<from>', `the key to ${verb.toLowerCase()}, or a folder ending in /`)
      .argument('<to>', 'the new key, or a folder ending in / (a file keeps its name there)')
      .option('--overwrite', 'replace a file at the target (its content is kept as a version)')
      .addHelpText(
        'after',
        `\nExamples:\n  granary ${operation} raw/s1.vcf final/sample.vcf\n  granary ${operation} raw/ archive/2026/`,
      )
      .action(async (from: string, to: string, options: MoveFlags, command: Command) => {
        const ctx = contextFor(command, io)
        await relocate(ctx, operation, { from, to }, options)
      })
  }

  program
    .command('versions')
    .description("List a file's versions, newest first (* marks the current one)")
    .argument('<key>', "the file's key, e.g. raw/sample.vcf")
    .addHelpText(
      'after',
      '\nExamples:\n  granary versions raw/sample.vcf\n  granary restore raw/sample.vcf --version <id>',
    )
    .action(async (key: string, _options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const versions = await ctx.client.files.versions(key, { workspaceId: ctx.workspaceId })
      if (ctx.json) return ctx.printJson({ key, versions })
      for (const line of versionTable(versions)) ctx.line(line)
    })

  program
    .command('restore')
    .description("Make an older version the file's current content again (as a new version)")
    .argument('<key>', "the file's key")
    // Written --version <id> by people; run() hands it over as --version-id (see program.ts).
    .requiredOption(
      '--version-id <id>',
      'the version to restore, also --version <id> (see granary versions <key>)',
    )
    .addHelpText('after', '\nExample:\n  granary restore raw/sample.vcf --version ver_123')
    .action(async (key: string, options: { versionId: string }, command: Command) => {
      const ctx = contextFor(command, io)
      const file = await ctx.client.files.restore(key, {
        workspaceId: ctx.workspaceId,
        versionId: options.versionId,
      })
      if (ctx.json) ctx.printJson(file)
      else ctx.line(`restored ${key} to version ${options.versionId}`)
    })
}

async function relocate(
  ctx: Context,
  operation: 'mv' | 'cp',
  paths: { from: string; to: string },
  options: MoveFlags,
): Promise<void> {
  const { from, to } = paths
  // A file may go into a folder (`mv a.vcf raw/` keeps its name); a folder only into a folder.
  if (from.endsWith('/') && !to.endsWith('/')) {
    throw new UsageError(`'${from}' is a folder: the target must be a folder too, e.g. '${to}/'`)
  }
  const call = operation === 'mv' ? ctx.client.files.move : ctx.client.files.copy
  const result = await call.call(ctx.client.files, from, to, {
    workspaceId: ctx.workspaceId,
    overwrite: options.overwrite,
    job: { onProgress: jobProgress(ctx) },
  })
  if (ctx.json) return ctx.printJson(result)
  const verb = operation === 'mv' ? 'moved' : 'copied'
  ctx.line(`${verb} ${from} -> ${to}${countOf(result)}`)
}

/** ` (3 files)` for a folder's answer, nothing for a file's. */
function countOf(result: MoveResult): string {
  if (isFile(result)) return ''
  const count = Object.values(result).find((value) => typeof value === 'number')
  return typeof count === 'number' ? ` (${count} file${count === 1 ? '' : 's'})` : ''
}

function isFile(result: MoveResult): result is FileInfo {
  return typeof (result as { sha256?: unknown }).sha256 === 'string'
}

/** The `versions` table: current marker, id, size, date, checksum prefix. */
export function versionTable(versions: readonly FileVersion[]): string[] {
  const rows = versions.map((v) => [
    v.is_current ? '*' : ' ',
    v.version_id,
    humanSize(v.size),
    shortDate(v.created_at),
    v.sha256.slice(0, 12),
  ])
  return table([[' ', 'VERSION', 'SIZE', 'CREATED', 'SHA256'], ...rows])
}

/** A note on stderr each time a background job is looked at: `granary: job j_1: running 20/90`. */
export function jobProgress(ctx: Context): (job: Job) => void {
  return (job) =>
    ctx.note(`granary: job ${job.job_id}: ${job.status} ${job.done ?? 0}/${job.total ?? '?'}`)
}
