import { ApiError, NetworkError } from '@granary/client'
import { CommanderError } from 'commander'

export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

/** A failure the CLI itself detected, with the code shown in the error line. */
export class CliError extends Error {
  override readonly name: string = 'CliError'
  readonly code: string
  readonly exitCode: number

  constructor(message: string, options: { code: string; exitCode?: number }) {
    super(message)
    this.code = options.code
    this.exitCode = options.exitCode ?? EXIT_FAILURE
  }
}

/** A mistake in how the command was called: exit status 2. */
export class UsageError extends CliError {
  override readonly name = 'UsageError'

  constructor(message: string) {
    super(message, { code: 'usage', exitCode: EXIT_USAGE })
  }
}

export interface Failure {
  /** The single stderr line, without its newline. */
  line: string
  exitCode: number
}

/** Commander's codes for help and version output: not failures. */
const INFORMATIONAL = new Set(['commander.helpDisplayed', 'commander.version'])

/**
 * One line `granary: error: <message> (<code>)` and the exit status for any thrown value;
 * undefined when it was help or version output. Never a stack trace.
 */
export function describeFailure(err: unknown): Failure | undefined {
  if (err instanceof CommanderError) {
    if (INFORMATIONAL.has(err.code)) return undefined
    // `granary admin` alone prints the group's help (commander.help): a usage error too.
    const message =
      err.code === 'commander.help'
        ? 'a command is required'
        : err.message.replace(/^error:\s*/, '')
    return { line: failureLine(message, 'usage'), exitCode: EXIT_USAGE }
  }
  if (err instanceof CliError)
    return { line: failureLine(err.message, err.code), exitCode: err.exitCode }
  if (err instanceof ApiError || err instanceof NetworkError) {
    return { line: failureLine(err.message, String(err.code)), exitCode: EXIT_FAILURE }
  }
  return { line: failureLine(...systemMessage(err)), exitCode: EXIT_FAILURE }
}

function failureLine(message: string, code: string | undefined): string {
  const oneLine = message.replace(/\s*\n\s*/g, ' ').trim()
  return `granary: error: ${oneLine}${code ? ` (${code})` : ''}`
}

const SYSTEM_MESSAGES: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EISDIR: 'is a folder',
  ENOTDIR: 'not a folder',
  EEXIST: 'already exists',
  ENOSPC: 'no space left on device',
}

/** Node's `ENOENT: no such file or directory, stat 'x'` → `x: no such file or folder`. */
function systemMessage(err: unknown): [string, string | undefined] {
  if (!(err instanceof Error)) return [String(err), undefined]
  const { code, path } = err as Error & { code?: unknown; path?: unknown }
  if (typeof code !== 'string') return [err.message, undefined]
  const known = SYSTEM_MESSAGES[code]
  if (known && typeof path === 'string') return [`${path}: ${known}`, code]
  return [err.message, code]
}
