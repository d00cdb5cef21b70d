import { homedir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Command } from 'commander'
import type { RunIO } from './context.ts'
import { CliError } from './errors.ts'
import { parsePositiveInt } from './parse.ts'

type RunServer = (env: Record<string, string | undefined>) => Promise<void>

/** Loads the server lazily: the CLI works without it, and it is not a dependency of the CLI. */
export type LoadServer = () => Promise<unknown>

// A variable specifier keeps tsc and bundlers from requiring the package at build time.
const SERVER_PACKAGE = '@granary/server'
export const importServer: LoadServer = () => import(SERVER_PACKAGE)

/** `serve`: run a Granary server in this process. */
export function registerServeCommand(program: Command, io: RunIO, load = importServer): void {
  program
    .command('serve')
    .description('Run the Granary server')
    .option('--port <port>', 'port to listen on (env PORT, default 8080)', parsePositiveInt)
    .option(
      '--data-dir <dir>',
      'data folder for the embedded store (env GRANARY_DATA_DIR, default $XDG_DATA_HOME/granary or ~/.local/share/granary)',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  granary serve\n  granary serve --port 9000 --data-dir ./data',
    )
    .action(async (options: { port?: number; dataDir?: string }) => {
      const runServer = await loadRunServer(load)
      const env = { ...io.env }
      if (options.port !== undefined) env.PORT = String(options.port)
      if (options.dataDir !== undefined) env.GRANARY_DATA_DIR = options.dataDir
      env.GRANARY_DATA_DIR ??= defaultDataDir(env)
      await runServer(env)
    })
}

/**
 * Where an installed `granary serve` keeps its data when not told: the XDG base directory for
 * user data, so it is the same folder whatever the current directory (`npm start` in the
 * repository keeps ./data).
 */
export function defaultDataDir(env: Record<string, string | undefined>): string {
  const xdg = env.XDG_DATA_HOME?.trim()
  // The XDG spec ignores a relative XDG_DATA_HOME.
  const base = xdg && resolve(xdg) === xdg ? xdg : join(env.HOME || homedir(), '.local', 'share')
  return join(base, 'granary')
}

async function loadRunServer(load: LoadServer): Promise<RunServer> {
  return loadServerFunction<RunServer>(load, 'runServer')
}

/** One function of the server package, which is optional: a clear error when it is missing. */
export async function loadServerFunction<T>(load: LoadServer, name: string): Promise<T> {
  let server: unknown
  try {
    server = await load()
  } catch (err) {
    if (isMissing(err)) throw notInstalled()
    const reason = err instanceof Error ? err.message : String(err)
    throw new CliError(`the server package failed to load: ${reason}`, {
      code: 'server_load_failed',
    })
  }
  const found = (server as Record<string, unknown> | null)?.[name]
  if (typeof found !== 'function') throw notInstalled()
  return found as T
}

function isMissing(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown }
  return code === 'ERR_MODULE_NOT_FOUND' && String(message).includes(SERVER_PACKAGE)
}

function notInstalled(): CliError {
  return new CliError(
    `the server package ${SERVER_PACKAGE} is not installed; install it to use \`granary serve\``,
    { code: 'server_not_installed' },
  )
}
