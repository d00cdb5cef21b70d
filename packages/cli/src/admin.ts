import { type ApiKeyInfo, SCOPES, type Scope } from '@granary/client'
import { type Command, Option } from 'commander'
import { contextFor, type RunIO } from './context.ts'
import { humanSize, shortDate, table } from './format.ts'
import { registerMaintenanceCommands } from './maintenance.ts'
import { registerScrubCommand } from './scrub.ts'
import type { LoadServer } from './serve.ts'
import { registerStorageCommands } from './storage.ts'

interface KeyCreateOptions {
  name: string
  scope: Scope[]
  workspaceId?: string[]
  expiresAt?: string
}

/** `admin workspace …`, `admin key …` (need an admin key), and backup/restore of the data folder. */
export function registerAdminCommands(program: Command, io: RunIO, loadServer?: LoadServer): void {
  const admin = program
    .command('admin')
    .description('Manage workspaces, API keys and the blob store (needs an admin key)')
  registerWorkspaceCommands(
    admin.command('workspace').description('Create and list workspaces'),
    io,
  )
  registerKeyCommands(admin.command('key').description('Create, list and revoke API keys'), io)
  registerStorageCommands(
    admin.command('storage').description('Check the blob store and its CORS rules'),
    io,
  )
  admin
    .command('gc')
    .description('Collect garbage now: expired uploads and blobs nothing refers to')
    .addHelpText('after', '\nExample:\n  granary admin gc')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const result = await ctx.client.files.uploads.gc()
      if (ctx.json) return ctx.printJson(result)
      ctx.line(`expired uploads: ${result.expired_uploads}`)
      ctx.line(`orphaned blobs:  ${result.orphan_blobs}`)
      ctx.line(`reclaimed:       ${humanSize(result.reclaimed_bytes)}`)
    })
  registerScrubCommand(admin, io)
  registerMaintenanceCommands(admin, io, loadServer)
}

function registerWorkspaceCommands(group: Command, io: RunIO): void {
  group
    .command('create')
    .description('Create a workspace')
    .argument('<name>', 'a human name, e.g. "Sequencing lab"')
    .option('--id <id>', 'the workspace id, e.g. ws_lab (generated when omitted)')
    .addHelpText(
      'after',
      '\nExample:\n  granary admin workspace create "Sequencing lab" --id ws_lab',
    )
    .action(async (name: string, options: { id?: string }, command: Command) => {
      const ctx = contextFor(command, io)
      const workspace = await ctx.client.workspaces.create({ id: options.id, name })
      if (ctx.json) ctx.printJson(workspace)
      else ctx.line(`created workspace ${workspace.id} (${workspace.name})`)
    })

  group
    .command('list')
    .description('List workspaces')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const workspaces = await ctx.client.workspaces.list()
      if (ctx.json) return ctx.printJson(workspaces)
      const rows = workspaces.map((w) => [w.id, shortDate(w.created_at), w.name])
      for (const line of table([['ID', 'CREATED', 'NAME'], ...rows])) ctx.line(line)
    })
}

function registerKeyCommands(group: Command, io: RunIO): void {
  group
    .command('create')
    .description('Create an API key; its secret is printed once')
    .requiredOption('--name <name>', 'what the key is for, e.g. pipeline')
    .addOption(
      // Variadic: `--scope a --scope b` and `--scope a b` both collect, and choices still apply.
      new Option('--scope <scope...>', 'scopes (repeatable)').choices(SCOPES).makeOptionMandatory(),
    )
    .option('--workspace-id <id...>', 'workspaces the key may use (repeatable)')
    .option('--expires-at <iso>', 'expiry, ISO 8601, e.g. 2026-01-01T00:00:00Z')
    .addHelpText(
      'after',
      '\nExamples:\n  granary admin key create --name pipeline --scope files --workspace-id ws_lab\n' +
        '  granary admin key create --name reader --scope files:read \\\n' +
        '    --workspace-id ws_lab --workspace-id ws_core --expires-at 2026-01-01T00:00:00Z',
    )
    .action(async (options: KeyCreateOptions, command: Command) => {
      const ctx = contextFor(command, io)
      const key = await ctx.client.keys.create({
        name: options.name,
        scopes: options.scope,
        workspaceIds: options.workspaceId,
        expiresAt: options.expiresAt,
      })
      if (ctx.json) return ctx.printJson(key)
      ctx.line(`created key ${key.id} (${key.name})`)
      ctx.line(`secret: ${key.secret}`)
      ctx.note('granary: the secret is shown only once: store it now.')
    })

  group
    .command('list')
    .description('List API keys (never their secrets)')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const keys = await ctx.client.keys.list()
      if (ctx.json) return ctx.printJson(keys)
      for (const line of keyTable(keys)) ctx.line(line)
    })

  group
    .command('revoke')
    .description('Revoke an API key; effective on its next request')
    .argument('<id>', 'the key id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      await ctx.client.keys.revoke(id)
      if (ctx.json) ctx.printJson({ revoked: id })
      else ctx.line(`revoked key ${id}`)
    })
}

/** The `admin key list` table. */
export function keyTable(keys: ApiKeyInfo[]): string[] {
  const rows = keys.map((k) => [
    k.id,
    k.revoked_at ? 'revoked' : isExpired(k.expires_at) ? 'expired' : 'active',
    k.scopes.join(','),
    k.workspace_ids === null ? '*' : k.workspace_ids.join(',') || '-',
    shortDate(k.expires_at),
    k.name,
  ])
  return table([['ID', 'STATUS', 'SCOPES', 'WORKSPACES', 'EXPIRES', 'NAME'], ...rows])
}

function isExpired(expiresAt: string | null): boolean {
  return expiresAt !== null && Date.parse(expiresAt) <= Date.now()
}
