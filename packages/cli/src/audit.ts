import type { AuditEvent, AuditQueryOptions } from '@granary/client'
import type { Command } from 'commander'
import { contextFor, type RunIO } from './context.ts'
import { humanSize, table } from './format.ts'
import { parsePositiveInt } from './parse.ts'

interface AuditOptions {
  allWorkspaces?: boolean
  action?: string
  keyPrefix?: string
  actor?: string
  since?: string
  until?: string
  limit?: number
  cursor?: string
  asc?: boolean
}

/** `granary audit`: who did what, when (scope audit:read or admin). */
export function registerAuditCommand(program: Command, io: RunIO): void {
  program
    .command('audit')
    .description('Show the audit trail of the workspace, newest first (audit:read or admin key)')
    .option('--all-workspaces', 'every workspace the key may read, and key/workspace events')
    .option('--action <actions>', 'only these actions, comma-separated, e.g. file.delete')
    .option('--key-prefix <prefix>', 'only events on keys starting with this')
    .option('--actor <keyId>', 'only events made by this API key id')
    .option('--since <iso>', 'events at or after this time, e.g. 2026-11-01T00:00:00Z')
    .option('--until <iso>', 'events before this time')
    .option('--limit <n>', 'page size, 1..1000 (default 100)', parsePositiveInt)
    .option('--cursor <cursor>', 'continue from a previous page')
    .option('--asc', 'oldest first')
    .addHelpText(
      'after',
      '\nExamples:\n  granary audit -w ws_abc123 --action file.delete\n  granary audit --all-workspaces --actor key_123 --json',
    )
    .action(async (options: AuditOptions, command: Command) => {
      const ctx = contextFor(command, io)
      const page = await ctx.client.audit(auditQuery(options, ctx.workspaceId))
      if (ctx.json) return ctx.printJson(page)
      for (const line of auditTable(page.events)) ctx.line(line)
      if (page.next_cursor) ctx.note(`more: granary audit --cursor ${page.next_cursor}`)
    })
}

/** `granary revoke-links <key>`: every download link to the file stops working now. */
export function registerRevokeLinksCommand(program: Command, io: RunIO): void {
  program
    .command('revoke-links')
    .description(
      'Make every download link to a file stop working now (not direct presigned S3 URLs: they work until they expire)',
    )
    .argument('<key>', "the file's key, e.g. raw/sample.vcf")
    .addHelpText('after', '\nExample:\n  granary revoke-links raw/sample.vcf -w ws_abc123')
    .action(async (key: string, _options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const revoked = await ctx.client.revokeLinks({ workspaceId: ctx.workspaceId, key })
      if (ctx.json) ctx.printJson(revoked)
      else ctx.line(`revoked every link to ${revoked.key} issued before ${revoked.revoked_at}`)
    })
}

export function auditQuery(options: AuditOptions, workspaceId: string): AuditQueryOptions {
  return {
    ...(options.allWorkspaces ? {} : { workspaceId }),
    ...(options.action ? { action: options.action.split(',') as AuditQueryOptions['action'] } : {}),
    ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
    ...(options.actor ? { actorKeyId: options.actor } : {}),
    ...(options.since ? { since: options.since } : {}),
    ...(options.until ? { until: options.until } : {}),
    ...(options.limit ? { limit: options.limit } : {}),
    ...(options.cursor ? { cursor: options.cursor } : {}),
    order: options.asc ? 'asc' : 'desc',
  }
}

/** The `granary audit` table. */
export function auditTable(events: readonly AuditEvent[]): string[] {
  const rows = events.map((e) => [
    e.at.replace('T', ' ').slice(0, 19),
    e.actor_key_name ? `${e.actor_key_name} (${e.actor_key_id})` : '(server)',
    e.action,
    e.outcome,
    e.workspace_id ?? '',
    e.key ?? '',
    e.size === null ? '' : humanSize(e.size),
    e.ip ?? '',
  ])
  return table([['AT', 'ACTOR', 'ACTION', 'OUTCOME', 'WORKSPACE', 'KEY', 'SIZE', 'IP'], ...rows])
}
