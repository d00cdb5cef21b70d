import type { ScrubRun } from '@granary/client'
import { type Command, InvalidArgumentError } from 'commander'
import { type Context, contextFor, type RunIO } from './context.ts'
import { CliError } from './errors.ts'
import { humanSize, table } from './format.ts'
import { parseSize } from './parse.ts'
import { progressBar } from './progress.ts'

const POLL_MS = 1000

/** `admin scrub`: re-hash stored files on the server and report what no longer matches. */
export function registerScrubCommand(admin: Command, io: RunIO): void {
  admin
    .command('scrub')
    .description(
      'Read stored files back and check their SHA-256 (bit rot, bytes changed by hand, missing blobs)',
    )
    .option(
      '--sample <percent>',
      'check this share of the files, picked at random (e.g. 10%)',
      parsePercent,
    )
    .option('--rate <size>', 'read at most this much per second (default 100MiB)', parseSize)
    .option('--no-wait', 'start the scrub and return; `admin scrub --status` shows it later')
    .option('--status', "show the server's running or last scrub instead of starting one")
    .addHelpText(
      'after',
      '\nExit status 1 when a file does not match or its bytes are missing.\n' +
        '\nExamples:\n  granary admin scrub\n  granary admin scrub --sample 5% --rate 20MiB\n  granary admin scrub --status',
    )
    .action(
      async (
        options: { sample?: number; rate?: number; wait: boolean; status?: boolean },
        command: Command,
      ) => {
        const ctx = contextFor(command, io)
        let run: ScrubRun | null
        if (options.status) {
          run = await ctx.client.storage.scrubStatus()
          if (!run) return ctx.note('no scrub has run since the server started')
        } else {
          run = await ctx.client.storage.scrub({
            ...(options.sample !== undefined ? { sample_percent: options.sample } : {}),
            ...(options.rate !== undefined ? { max_bytes_per_second: options.rate } : {}),
          })
          if (options.wait) run = await follow(ctx, run)
        }
        report(ctx, run)
      },
    )
}

async function follow(ctx: Context, started: ScrubRun): Promise<ScrubRun> {
  const bar = progressBar(ctx.io.stderr, 'scrub')
  let run: ScrubRun | null = started
  try {
    while (run?.status === 'running') {
      bar.update({ loaded: run.checked_bytes, total: undefined })
      await new Promise((resolve) => setTimeout(resolve, POLL_MS))
      run = await ctx.client.storage.scrubStatus()
      if (run?.id !== started.id) {
        throw new CliError('the server restarted during the scrub; start it again', {
          code: 'scrub_lost',
        })
      }
    }
  } finally {
    bar.stop()
  }
  return run
}

function report(ctx: Context, run: ScrubRun): void {
  if (ctx.json) ctx.printJson(run)
  else {
    ctx.line(
      `${run.id} ${run.status}: ${run.checked_files} files, ${humanSize(run.checked_bytes)} checked` +
        (run.skipped_files ? `, ${run.skipped_files} left out of the sample` : ''),
    )
    if (run.findings.length > 0) {
      const rows = run.findings.map((f) => [f.problem, f.workspace_id, f.key])
      for (const line of table([['PROBLEM', 'WORKSPACE', 'KEY'], ...rows])) ctx.line(line)
    }
  }
  if (run.status === 'failed') {
    throw new CliError(`the scrub stopped: ${run.error ?? 'see the server log'}`, {
      code: 'scrub_failed',
    })
  }
  if (run.findings.length > 0) {
    throw new CliError(`${run.findings.length} file(s) do not match what was stored`, {
      code: 'scrub_found_problems',
    })
  }
}

function parsePercent(text: string): number {
  const value = Number(text.trim().replace(/%$/, ''))
  if (!(value > 0 && value <= 100)) {
    throw new InvalidArgumentError(
      `'${text}' is not a percentage above 0 and at most 100 (e.g. 10%).`,
    )
  }
  return value
}
