import type { Command } from 'commander'
import { contextFor, type RunIO } from './context.ts'
import { humanSize } from './format.ts'

/** `usage`: what the workspace holds, against its quotas. */
export function registerUsageCommand(program: Command, io: RunIO): void {
  program
    .command('usage')
    .description("The workspace's files and bytes (current, older versions, trash) and its quotas")
    .addHelpText('after', '\nExamples:\n  granary usage -w ws_abc123\n  granary usage --json')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const [usage, workspace] = await Promise.all([
        ctx.client.workspaces.usage(ctx.workspaceId),
        ctx.client.workspaces.get(ctx.workspaceId),
      ])
      if (ctx.json) {
        return ctx.printJson({
          ...usage,
          quota_bytes: workspace.quota_bytes,
          quota_files: workspace.quota_files,
        })
      }
      const files = usage.files + usage.versions + usage.trash_files
      const bytes = usage.bytes + usage.version_bytes + usage.trash_bytes
      ctx.line(`workspace ${ctx.workspaceId}`)
      ctx.line(`  current   ${usage.files} files, ${humanSize(usage.bytes)}`)
      ctx.line(`  versions  ${usage.versions} older versions, ${humanSize(usage.version_bytes)}`)
      ctx.line(`  trash     ${usage.trash_files} files, ${humanSize(usage.trash_bytes)}`)
      ctx.line(`  total     ${files} files, ${humanSize(bytes)}`)
      ctx.line(`  quota     files: ${quota(files, workspace.quota_files, String)}`)
      ctx.line(`            bytes: ${quota(bytes, workspace.quota_bytes, humanSize)}`)
    })
}

/** `12 of 100 (12%)`, or `none`. */
function quota(used: number, limit: number | null, show: (n: number) => string): string {
  if (limit === null) return 'none'
  const share = limit === 0 ? 100 : Math.round((100 * used) / limit)
  return `${show(used)} of ${show(limit)} (${share}%)`
}
