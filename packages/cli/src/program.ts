import { GRANARY_VERSION } from '@granary/client'
import { Command, Option } from 'commander'
import { registerAdminCommands } from './admin.ts'
import { registerAuditCommand, registerRevokeLinksCommand } from './audit.ts'
import type { RunIO } from './context.ts'
import { registerFileCommands } from './files.ts'
import { registerLifecycleCommands } from './lifecycle.ts'
import { registerLoginCommands } from './login.ts'
import { registerQueryCommands } from './query.ts'
import { type LoadServer, registerServeCommand } from './serve.ts'
import { registerTransferCommands } from './transfer.ts'
import { registerTrashCommands } from './trash.ts'
import { registerUploadCommands } from './uploads.ts'
import { registerUsageCommand } from './usage.ts'
import { registerWebhookCommands } from './webhooks.ts'

export const VERSION = GRANARY_VERSION

const EXAMPLES = `
Environment:
  GRANARY_URL        server URL (default http://127.0.0.1:8080)
  GRANARY_API_KEY    API key (or \`granary login\` once; these variables win over it)
  GRANARY_WORKSPACE  workspace (default ws_default)
  GRANARY_MULTIPART_THRESHOLD, GRANARY_PART_SIZE   multipart upload sizes (e.g. 5GiB, 64MiB)
  GRANARY_STATE_DIR  where unfinished uploads are remembered (default ~/.granary)

Examples:
  granary login
  granary whoami
  granary upload sample.vcf --path raw/ -w ws_abc123
  granary ls raw/ -w ws_abc123
  granary download raw/sample.vcf ./output/ -w ws_abc123
  granary url raw/sample.vcf --expires-in 3600
  granary query calls/trio.vcf.gz chr1:1000-2000 --header | bcftools view -H
  granary mv raw/s1.vcf final/sample.vcf
  granary rm -r scratch/ && granary trash ls
  granary admin key create --name pipeline --scope files --workspace-id ws_abc123`

export interface ProgramOptions {
  /** Replaces the dynamic import of @granary/server (tests). */
  loadServer?: LoadServer
}

/** The `granary` command tree; output goes to `io`, errors are thrown (exitOverride). */
export function buildProgram(io: RunIO, options: ProgramOptions = {}): Command {
  const program = new Command('granary')
    .description('Granary: store, list and share files in workspaces')
    .version(VERSION)
    .addOption(new Option('--url <url>', 'server URL (env GRANARY_URL)'))
    .addOption(new Option('--api-key <key>', 'API key (env GRANARY_API_KEY)'))
    .addOption(
      new Option(
        '-w, --workspace <id>',
        'workspace id (env GRANARY_WORKSPACE, default ws_default)',
      ),
    )
    .option('--json', 'machine-readable JSON on stdout')
    .addHelpText('after', EXAMPLES)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      // Errors are printed once, by run(), in the one-line format.
      outputError: () => {},
    })
  registerLoginCommands(program, io)
  registerFileCommands(program, io)
  registerQueryCommands(program, io)
  registerLifecycleCommands(program, io)
  registerTrashCommands(program, io)
  registerTransferCommands(program, io)
  registerUploadCommands(program, io)
  registerAuditCommand(program, io)
  registerRevokeLinksCommand(program, io)
  registerAdminCommands(program, io, options.loadServer)
  registerUsageCommand(program, io)
  registerWebhookCommands(program, io)
  registerServeCommand(program, io, options.loadServer)
  return program
}

/** Root options that take a value, so their value is never mistaken for the command. */
const ROOT_VALUE_OPTIONS = new Set(['--url', '--api-key', '-w', '--workspace'])

/**
 * `granary restore <key> --version <id>`: commander reads `--version` as the root's "print the
 * version" wherever it appears, so after `restore` it is handed over as `--version-id`.
 *
 * @example restoreVersionFlag(['restore', 'a.vcf', '--version', 'v1']) // [..., '--version-id', 'v1']
 */
export function restoreVersionFlag(argv: readonly string[]): string[] {
  const command = commandIndex(argv)
  if (command === undefined || argv[command] !== 'restore') return [...argv]
  return argv.map((arg, i) => {
    if (i <= command) return arg
    if (arg === '--version') return '--version-id'
    return arg.startsWith('--version=') ? `--version-id=${arg.slice('--version='.length)}` : arg
  })
}

function commandIndex(argv: readonly string[]): number | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? ''
    if (arg === '--') return undefined
    if (ROOT_VALUE_OPTIONS.has(arg)) i++
    else if (!arg.startsWith('-')) return i
  }
  return undefined
}
