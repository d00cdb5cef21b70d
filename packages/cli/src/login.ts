import { createInterface } from 'node:readline'
import { ApiError, Granary, type MeResponse } from '@granary/client'
import type { Command } from 'commander'
import { saveLogin } from './config-file.ts'
import { checkUrl, connectionFor, contextFor, DEFAULT_URL, type RunIO } from './context.ts'
import { CliError } from './errors.ts'

/** `login` (ask, check against GET /v1/me, save) and `whoami`. */
export function registerLoginCommands(program: Command, io: RunIO): void {
  program
    .command('login')
    .description('Check a server URL and API key, and remember them (config file, mode 0600)')
    .addHelpText(
      'after',
      [
        '',
        'Asks for what --url and --api-key do not give; GRANARY_URL and GRANARY_API_KEY still win',
        'over the saved login. The file is $XDG_CONFIG_HOME/granary/config.json',
        '(default ~/.config/granary/config.json).',
        '',
        'Examples:',
        '  granary login',
        '  granary login --url http://127.0.0.1:8080 --api-key "$(cat admin.key)"',
      ].join('\n'),
    )
    .action(async (_options: unknown, command: Command) => login(command, io))
  program
    .command('whoami')
    .description('The API key in use: its name, scopes and workspaces')
    .addHelpText('after', '\nExamples:\n  granary whoami\n  granary whoami --json')
    .action(async (_options: unknown, command: Command) => {
      const ctx = contextFor(command, io)
      const connection = connectionFor(command, io)
      const me = await ctx.client.me()
      if (ctx.json) return ctx.printJson(me)
      for (const line of describeKey(me)) ctx.line(line)
      ctx.line(`server:     ${ctx.client.baseUrl} (from ${connection.urlFrom})`)
      ctx.line(`key from:   ${connection.apiKeyFrom}`)
    })
}

async function login(command: Command, io: RunIO): Promise<void> {
  const flags = command.optsWithGlobals<{ url?: string; apiKey?: string; json?: boolean }>()
  const ask = questioner(io)
  try {
    const url = flags.url ?? ((await ask(`Granary URL [${DEFAULT_URL}]: `)) || DEFAULT_URL)
    const apiKey = flags.apiKey ?? (await ask('API key: '))
    if (!apiKey) throw new CliError('no API key given', { code: 'no_api_key' })
    const setting = flags.url ? '--url' : 'the URL'
    const baseUrl = checkUrl(url, setting)
    const me = await checkKey(new Granary({ baseUrl, apiKey, urlSetting: setting }), baseUrl)
    const only = me.workspaces.length === 1 ? me.workspaces[0]?.id : undefined
    const path = saveLogin(io.env ?? {}, {
      url: baseUrl,
      api_key: apiKey,
      ...(only ? { workspace: only } : {}),
    })
    if (flags.json) {
      io.stdout.write(`${JSON.stringify({ ...me, url: baseUrl, config: path }, null, 2)}\n`)
      return
    }
    io.stdout.write(`Logged in to ${baseUrl} as '${me.key.name}'.\n`)
    for (const line of describeKey(me)) io.stdout.write(`${line}\n`)
    io.stdout.write(`saved to:   ${path} (mode 0600)\n`)
  } finally {
    ask.close()
  }
}

async function checkKey(client: Granary, url: string): Promise<MeResponse> {
  try {
    return await client.me()
  } catch (err) {
    if (err instanceof ApiError && err.code === 'unauthenticated') {
      throw new CliError(`${url} does not accept this API key (unknown, revoked or expired)`, {
        code: 'unauthenticated',
      })
    }
    throw err
  }
}

function describeKey(me: MeResponse): string[] {
  const workspaces = me.workspaces.map((w) => `${w.id} (${w.name})`)
  return [
    `key:        ${me.key.name} (${me.key.id})`,
    `scopes:     ${me.key.scopes.join(', ')}`,
    `expires:    ${me.key.expires_at ?? 'never'}`,
    `workspaces: ${workspaces.length > 0 ? workspaces.join(', ') : 'none'}`,
  ]
}

type Ask = ((prompt: string) => Promise<string>) & { close(): void }

/** Reads one answer per line from io.stdin, prompting on stderr (stdout stays clean). */
function questioner(io: RunIO): Ask {
  let lines: AsyncIterator<string> | undefined
  let close = () => {}
  const ask = async (prompt: string) => {
    if (!io.stdin)
      throw new CliError('no terminal to ask on: pass --url and --api-key', { code: 'usage' })
    if (!lines) {
      const rl = createInterface({ input: io.stdin, crlfDelay: Number.POSITIVE_INFINITY })
      lines = rl[Symbol.asyncIterator]()
      close = () => rl.close()
    }
    io.stderr.write(prompt)
    const next = await lines.next()
    if (next.done) throw new CliError('no answer (end of input)', { code: 'usage' })
    return next.value.trim()
  }
  return Object.assign(ask, { close: () => close() })
}
