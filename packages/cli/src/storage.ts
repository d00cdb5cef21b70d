import type { StorageStatus } from '@granary/client'
import type { Command } from 'commander'
import { contextFor, type RunIO } from './context.ts'
import { CliError } from './errors.ts'

/** `admin storage check [--set-cors <origin...>]`. */
export function registerStorageCommands(group: Command, io: RunIO): void {
  group
    .command('check')
    .description(
      'Check the blob store: reachable, credentials accepted, CORS rules for browser uploads',
    )
    .option(
      '--set-cors <origin...>',
      "first let these browser origins use presigned URLs (S3), e.g. https://lab.example.org or '*'",
    )
    .addHelpText(
      'after',
      '\nExamples:\n  granary admin storage check\n  granary admin storage check --set-cors https://lab.example.org',
    )
    .action(async (options: { setCors?: string[] }, command: Command) => {
      const ctx = contextFor(command, io)
      const status = options.setCors
        ? await ctx.client.storage.setCors(options.setCors)
        : await ctx.client.storage.check()
      if (ctx.json) ctx.printJson(status)
      else for (const line of describeStorage(status)) ctx.line(line)
      // A store with problems is a failed check for scripts, even though the call succeeded.
      const count = status.problems.length
      if (count > 0)
        throw new CliError(`the blob store has ${count} problem(s)`, {
          code: 'storage_check_failed',
        })
    })
}

export function describeStorage(status: StorageStatus): string[] {
  const cors =
    status.cors_origins === null
      ? 'not needed (Granary serves its own URLs)'
      : status.cors_origins.join(', ') || 'none'
  return [
    `backend:    ${status.backend}`,
    `location:   ${status.location}`,
    `reachable:  ${status.reachable ? 'yes (credentials accepted)' : 'NO'}`,
    `CORS:       ${cors}`,
    ...status.problems.map((problem) => `problem:    ${problem}`),
  ]
}
