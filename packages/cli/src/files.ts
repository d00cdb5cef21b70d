import type { FileInfo, ListFilesResponse } from '@granary/client'
import { type Command, Option } from 'commander'
import { type Context, contextFor, type RunIO } from './context.ts'
import { UsageError } from './errors.ts'
import { fileRow, humanSize, shortDate } from './format.ts'
import { jobProgress } from './lifecycle.ts'
import { parsePositiveInt } from './parse.ts'

interface LsOptions {
  folders?: boolean
  limit?: number
  all?: boolean
  cursor?: string
}

/** `ls`, `rm` and `url`: the metadata side of the Files API. */
export function registerFileCommands(program: Command, io: RunIO): void {
  program
    .command('ls')
    .description('List files in the workspace, sorted by key')
    .argument('[prefix]', 'only keys starting with this, e.g. results/')
    .option('--folders', 'folder view: files directly under the prefix, plus its sub-folders')
    .option('--limit <n>', 'page size, 1..1000 (default 100)', parsePositiveInt)
    .option('--all', 'page through every file instead of printing one page')
    .option('--cursor <cursor>', 'continue from a previous page')
    .addHelpText(
      'after',
      '\nExamples:\n  granary ls\n  granary ls results/ --folders\n  granary ls raw/ --all --json',
    )
    .action((prefix: string | undefined, options: LsOptions, command: Command) =>
      listFiles(contextFor(command, io), prefix, options),
    )

  program
    .command('rm')
    .description('Delete a file, or a folder with -r (to the trash when the workspace keeps one)')
    .argument('<key>', "the file's key, e.g. raw/sample.vcf, or a folder ending in / with -r")
    .option('-r, --recursive', 'delete every file under the folder <key>/')
    .addHelpText(
      'after',
      '\nExamples:\n  granary rm raw/sample.vcf -w ws_abc123\n  granary rm -r raw/2025/\n  granary trash ls   (what was deleted, to restore it)',
    )
    .action(async (key: string, options: { recursive?: boolean }, command: Command) => {
      const ctx = contextFor(command, io)
      if (options.recursive) return removeFolder(ctx, key)
      if (key.endsWith('/')) throw new UsageError(`'${key}' is a folder: use granary rm -r ${key}`)
      await ctx.client.files.delete(key, { workspaceId: ctx.workspaceId })
      if (ctx.json) ctx.printJson({ deleted: key, workspace_id: ctx.workspaceId })
      else ctx.line(`deleted ${key}`)
    })

  program
    .command('url')
    .description('Print a signed download link anyone can use until it expires')
    .argument('<key>', "the file's key")
    .addOption(
      new Option('--expires-in <seconds>', 'validity, 1..604800').argParser(parsePositiveInt),
    )
    .option('--inline', 'let browsers display the file instead of saving it')
    .addOption(
      new Option(
        '--link <kind>',
        "granary: a link htslib tools and IGV follow to the file's index; direct: the store's URL",
      ).choices(['granary', 'direct']),
    )
    .option('--with-index', "also print the index's link (second line) when it has one")
    .addHelpText(
      'after',
      '\nExamples:\n  granary url raw/sample.vcf\n  granary url report.html --inline --expires-in 600\n  samtools view "$(granary url bam/x.bam --link granary)" chr1:1000-2000',
    )
    .action(async (key: string, options: UrlOptions, command) => {
      const ctx = contextFor(command, io)
      const link = await ctx.client.files.downloadUrl(key, {
        workspaceId: ctx.workspaceId,
        expiresIn: options.expiresIn,
        disposition: options.inline ? 'inline' : 'attachment',
        link: options.link,
        withIndex: options.withIndex,
      })
      if (ctx.json) ctx.printJson(link)
      else ctx.line(link.url)
      if (!ctx.json && link.index_url) ctx.line(link.index_url)
    })
}

interface UrlOptions {
  expiresIn?: number
  inline?: boolean
  link?: 'granary' | 'direct'
  withIndex?: boolean
}

async function removeFolder(ctx: Context, key: string): Promise<void> {
  const prefix = key.endsWith('/') ? key : `${key}/`
  const result = await ctx.client.files.delete(prefix, {
    workspaceId: ctx.workspaceId,
    recursive: true,
    job: { onProgress: jobProgress(ctx) },
  })
  if (ctx.json) return ctx.printJson({ ...result, prefix, workspace_id: ctx.workspaceId })
  const count = result.deleted
  ctx.line(`deleted ${count} file${count === 1 ? '' : 's'} under ${prefix}`)
  if (result.group_id && count > 0) {
    ctx.note(`granary: to undo: granary trash restore --group ${result.group_id}`)
  }
}

async function listFiles(ctx: Context, prefix: string | undefined, options: LsOptions) {
  const merged: ListFilesResponse = options.folders
    ? { files: [], folders: [], next_cursor: null }
    : { files: [], next_cursor: null }
  let cursor = options.cursor
  let first = true
  do {
    const page = await ctx.client.files.list({
      workspaceId: ctx.workspaceId,
      prefix,
      limit: options.limit,
      cursor,
      delimiter: options.folders ? '/' : undefined,
    })
    if (ctx.json) mergePage(merged, page)
    else printPage(ctx, page, first)
    first = false
    cursor = page.next_cursor ?? undefined
  } while (options.all && cursor)
  merged.next_cursor = cursor ?? null
  if (ctx.json) ctx.printJson(merged)
  else if (cursor) ctx.note(`granary: more files: use --all, or --cursor ${cursor}`)
}

function mergePage(into: ListFilesResponse, page: ListFilesResponse): void {
  into.files.push(...page.files)
  if (into.folders) into.folders.push(...(page.folders ?? []))
}

function printPage(ctx: Context, page: ListFilesResponse, header: boolean): void {
  if (header) ctx.line(fileRow('SIZE', 'UPDATED', 'KEY'))
  for (const folder of page.folders ?? []) ctx.line(fileRow('-', '-', folder))
  for (const file of page.files) ctx.line(formatFile(file))
}

/** One `ls` row for a file. */
export function formatFile(file: FileInfo): string {
  return fileRow(humanSize(file.size), shortDate(file.updated_at), file.key)
}
