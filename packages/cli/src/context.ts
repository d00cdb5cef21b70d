import { Granary } from '@granary/client'
import type { Command } from 'commander'

/** Where the CLI writes: process.stdout/stderr, or collectors in tests. */
export interface Output {
  write(text: string): unknown
  isTTY?: boolean
  columns?: number
}

export interface RunIO {
  /** Used instead of building a client from --url/--api-key (tests). */
  client?: Granary
  stdout: Output
  stderr: Output
  /** Defaults for the global options; process.env in the real CLI. */
  env?: Record<string, string | undefined>
}

interface GlobalOptions {
  url?: string
  apiKey?: string
  workspace?: string
  json?: boolean
}

export const DEFAULT_WORKSPACE = 'ws_default'

/** What a command action needs: the client, the workspace and how to print. */
export interface Context {
  readonly client: Granary
  readonly workspaceId: string
  readonly json: boolean
  readonly io: RunIO
  /** A line on stdout. */
  line(text?: string): void
  /** A JSON document on stdout. */
  printJson(value: unknown): void
  /** A note on stderr (never mixed into machine output). */
  note(text: string): void
}

/** Builds the Context from the global options as parsed for `command`. */
export function contextFor(command: Command, io: RunIO): Context {
  const options = command.optsWithGlobals<GlobalOptions>()
  const env = io.env ?? {}
  let client = io.client
  return {
    get client() {
      client ??= new Granary({
        baseUrl: options.url ?? env.GRANARY_URL ?? 'http://127.0.0.1:8080',
        apiKey: options.apiKey ?? env.GRANARY_API_KEY ?? '',
      })
      return client
    },
    workspaceId: options.workspace ?? env.GRANARY_WORKSPACE ?? DEFAULT_WORKSPACE,
    json: options.json === true,
    io,
    line: (text = '') => io.stdout.write(`${text}\n`),
    printJson: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    note: (text) => io.stderr.write(`${text}\n`),
  }
}
