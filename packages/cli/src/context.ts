import { Granary } from '@granary/client'
import type { Command } from 'commander'
import { readSavedLogin, type SavedLogin } from './config-file.ts'
import { CliError } from './errors.ts'

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
  /** Where `granary login` reads its answers; process.stdin in the real CLI. */
  stdin?: NodeJS.ReadableStream
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

/** Where the URL and the key come from: flags, then GRANARY_* variables, then `granary login`. */
export interface Connection {
  readonly url: string
  /** Which setting gave the URL, for messages: '--url', 'GRANARY_URL', the config file... */
  readonly urlFrom: string
  readonly apiKey: string | undefined
  readonly apiKeyFrom: string | undefined
  readonly workspaceId: string
}

export const DEFAULT_URL = 'http://127.0.0.1:8080'

/** Resolves the connection settings for `command` (flags > environment > saved login). */
export function connectionFor(command: Command, io: RunIO): Connection {
  const options = command.optsWithGlobals<GlobalOptions>()
  const env = io.env ?? {}
  let saved: SavedLogin | undefined
  const login = () => {
    saved ??= readSavedLogin(env) ?? ({} as SavedLogin)
    return saved
  }
  const pick = (
    flag: string | undefined,
    flagName: string,
    envName: string,
    file: () => string | undefined,
  ) => {
    if (flag !== undefined) return { value: flag, from: flagName }
    if (env[envName]) return { value: env[envName], from: envName }
    const fromFile = file()
    return fromFile ? { value: fromFile, from: 'granary login' } : undefined
  }
  const url = pick(options.url, '--url', 'GRANARY_URL', () => login().url)
  const key = pick(options.apiKey, '--api-key', 'GRANARY_API_KEY', () => login().api_key)
  const workspace = pick(
    options.workspace,
    '--workspace',
    'GRANARY_WORKSPACE',
    () => login().workspace,
  )
  return {
    url: url?.value ?? DEFAULT_URL,
    urlFrom: url?.from ?? 'the default',
    apiKey: key?.value,
    apiKeyFrom: key?.from,
    workspaceId: workspace?.value ?? DEFAULT_WORKSPACE,
  }
}

/** A URL the client can use, or an error naming the setting it came from and the fix. */
export function checkUrl(url: string, from: string): string {
  if (/^https?:\/\/[^/\s]/i.test(url)) return url
  const hint = /^[a-z][\w+.-]*:\/\//i.test(url)
    ? 'Granary speaks http:// or https://'
    : `add the scheme, e.g. http://${url.replace(/^\/+/, '')}`
  throw new CliError(`${from} is '${url}', which is not an http(s) URL: ${hint}`, {
    code: 'bad_url',
  })
}

/** Builds the Context from the global options as parsed for `command`. */
export function contextFor(command: Command, io: RunIO): Context {
  const options = command.optsWithGlobals<GlobalOptions>()
  const connection = connectionFor(command, io)
  let client = io.client
  return {
    get client() {
      client ??= new Granary({
        baseUrl: checkUrl(connection.url, connection.urlFrom),
        urlSetting: connection.urlFrom,
        apiKey: requireKey(connection),
      })
      return client
    },
    workspaceId: connection.workspaceId,
    json: options.json === true,
    io,
    line: (text = '') => io.stdout.write(`${text}\n`),
    printJson: (value) => io.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    note: (text) => io.stderr.write(`${text}\n`),
  }
}

function requireKey(connection: Connection): string {
  if (connection.apiKey) return connection.apiKey
  throw new CliError('no API key: set GRANARY_API_KEY or run `granary login`', {
    code: 'no_api_key',
  })
}
