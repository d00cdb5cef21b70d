import type { UploadSession } from '@granary/client'
import type { Command } from 'commander'
import { contextFor, type RunIO } from './context.ts'
import { humanSize, shortDate, table } from './format.ts'

/** `uploads ls` and `uploads abort`: the workspace's unfinished uploads. */
export function registerUploadCommands(program: Command, io: RunIO): void {
  const uploads = program
    .command('uploads')
    .description('Unfinished uploads (multipart sessions) in the workspace')
  uploads
    .command('ls')
    .description('List open uploads, newest first')
    .addHelpText('after', '\nExample:\n  granary uploads ls -w ws_abc123')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const open = await ctx.client.files.uploads.list({ workspaceId: ctx.workspaceId })
      if (ctx.json) return ctx.printJson(open)
      for (const line of uploadTable(open)) ctx.line(line)
    })
  uploads
    .command('abort')
    .description('Abort an upload and drop the parts already sent')
    .argument('<id>', 'the upload id, e.g. up_...')
    .addHelpText('after', '\nExample:\n  granary uploads abort up_123 -w ws_abc123')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      await ctx.client.files.uploads.abort(id, { workspaceId: ctx.workspaceId })
      if (ctx.json) ctx.printJson({ aborted: id })
      else ctx.line(`aborted upload ${id}`)
    })
}

/** The `uploads ls` table. */
export function uploadTable(uploads: readonly UploadSession[]): string[] {
  const rows = uploads.map((u) => [
    u.upload_id,
    u.status,
    humanSize(u.size),
    u.multipart ? `${u.part_count ?? '?'} x ${humanSize(u.part_size ?? 0)}` : 'single',
    shortDate(u.created_at),
    shortDate(u.expires_at),
    u.file_key,
  ])
  return table([['ID', 'STATUS', 'SIZE', 'PARTS', 'CREATED', 'EXPIRES', 'KEY'], ...rows])
}
