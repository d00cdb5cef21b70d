import type { TrashItem } from '@granary/client'
import type { Command } from 'commander'
import { type Context, contextFor, type RunIO } from './context.ts'
import { UsageError } from './errors.ts'
import { humanSize, shortDate, table } from './format.ts'
import { parsePositiveInt } from './parse.ts'

interface TrashLsOptions {
  limit?: number
  all?: boolean
  cursor?: string
}

/** `trash ls|restore|purge`: deleted files until they are purged. */
export function registerTrashCommands(program: Command, io: RunIO): void {
  const trash = program
    .command('trash')
    .description('Deleted files: list them, restore them, or purge them for good')
  trash
    .command('ls')
    .description('List deleted files with their trash id and when they are purged')
    .argument('[prefix]', 'only keys starting with this, e.g. raw/')
    .option('--limit <n>', 'page size (default 100)', parsePositiveInt)
    .option('--all', 'page through every item instead of printing one page')
    .option('--cursor <cursor>', 'continue from a previous page')
    .addHelpText('after', '\nExamples:\n  granary trash ls\n  granary trash ls raw/ --all --json')
    .action((prefix: string | undefined, options: TrashLsOptions, command: Command) =>
      listTrash(contextFor(command, io), prefix, options),
    )

  trash
    .command('restore')
    .description('Put a deleted file back where it was (with --group, a folder deleted by rm -r)')
    .argument('[trash-id]', 'from granary trash ls')
    .option('--group <group-id>', 'restore every file deleted together (GROUP in granary trash ls)')
    .option('--to <key>', 'restore under this key instead')
    .option('--overwrite', 'replace a file that now exists at the key (it goes to the trash)')
    .addHelpText(
      'after',
      '\nExamples:\n  granary trash restore tr_123\n  granary trash restore tr_123 --to raw/sample.restored.vcf\n  granary trash restore --group tg_456',
    )
    .action((trashId: string | undefined, options: RestoreOptions, command: Command) =>
      restore(contextFor(command, io), trashId, options),
    )

  trash
    .command('purge')
    .description('Delete trash items for good (their bytes are freed)')
    .argument('[trash-id]', 'the item to purge (from granary trash ls)')
    .option('--all', "empty the workspace's whole trash (admin key)")
    .addHelpText('after', '\nExamples:\n  granary trash purge tr_123\n  granary trash purge --all')
    .action(async (trashId: string | undefined, options: { all?: boolean }, command) => {
      const ctx = contextFor(command, io)
      await purge(ctx, trashId, options.all === true)
    })
}

interface RestoreOptions {
  group?: string
  to?: string
  overwrite?: boolean
}

async function restore(ctx: Context, trashId: string | undefined, options: RestoreOptions) {
  const { group, to, overwrite } = options
  if ((group === undefined) === (trashId === undefined)) {
    throw new UsageError('name one trash id, or a group with --group <group-id>')
  }
  if (group !== undefined && to !== undefined) {
    throw new UsageError('--to restores one file: leave it out with --group')
  }
  const call = { workspaceId: ctx.workspaceId, overwrite }
  if (group !== undefined) {
    const { files } = await ctx.client.trash.restoreGroup(group, call)
    if (ctx.json) return ctx.printJson({ files })
    return ctx.line(`restored ${files.length} file${files.length === 1 ? '' : 's'} of ${group}`)
  }
  const file = await ctx.client.trash.restore(trashId ?? '', { ...call, to })
  if (ctx.json) ctx.printJson(file)
  else ctx.line(`restored ${file.key}`)
}

async function purge(ctx: Context, trashId: string | undefined, all: boolean): Promise<void> {
  if (all === (trashId !== undefined)) {
    throw new UsageError('name one trash id, or use --all to empty the trash')
  }
  const options = { workspaceId: ctx.workspaceId }
  const answer =
    trashId !== undefined
      ? await ctx.client.trash.purge(trashId, options)
      : await ctx.client.trash.purgeAll(options)
  if (ctx.json) return ctx.printJson(answer)
  const count = `${answer.purged} item${answer.purged === 1 ? '' : 's'}`
  ctx.line(trashId !== undefined ? `purged ${trashId}` : `purged ${count} from the trash`)
}

async function listTrash(ctx: Context, prefix: string | undefined, options: TrashLsOptions) {
  const items: TrashItem[] = []
  let cursor = options.cursor
  do {
    const page = await ctx.client.trash.list({
      workspaceId: ctx.workspaceId,
      prefix,
      limit: options.limit,
      cursor,
    })
    items.push(...page.files)
    cursor = page.next_cursor ?? undefined
  } while (options.all && cursor)
  if (ctx.json) return ctx.printJson({ files: items, next_cursor: cursor ?? null })
  for (const line of trashTable(items)) ctx.line(line)
  if (cursor) ctx.note(`granary: more items: use --all, or --cursor ${cursor}`)
}

/** The `trash ls` table. */
export function trashTable(items: readonly TrashItem[]): string[] {
  const rows = items.map((item) => [
    item.trash_id,
    item.group_id,
    humanSize(item.size),
    shortDate(item.deleted_at),
    shortDate(item.purge_at),
    item.key,
  ])
  return table([['TRASH ID', 'GROUP', 'SIZE', 'DELETED', 'PURGED AFTER', 'KEY'], ...rows])
}
