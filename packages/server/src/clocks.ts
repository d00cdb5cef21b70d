/**
 * The clocks compose.ts can inject into the domain (domain/clock.ts): real time, or, for tests,
 * real time moved by an offset. A moved clock exists only where a test asks for it: in-process
 * tests pass one to createServer; a server process started by a test reads one from a file, and
 * only in a test run (NODE_ENV=test). No HTTP route changes the time.
 */
import { readFileSync } from 'node:fs'
import { ConfigError } from './config.ts'
import type { Clock } from './domain/clock.ts'

export const systemClock: Clock = Object.freeze({ now: () => Date.now() })

/** Real time plus an offset a test moves (in-process tests: `server.clock.advance(ms)`). */
export class OffsetClock implements Clock {
  #offsetMs = 0

  now(): number {
    return Date.now() + this.#offsetMs
  }

  /** Moves the clock by `ms` (negative: back). */
  advance(ms: number): void {
    this.#offsetMs += ms
  }
}

/**
 * Real time plus the offset in milliseconds written in `file`, read at every call, so a test
 * drives a server process by rewriting the file (atomically: write a temporary file, rename it).
 * No file or an empty one: no offset.
 */
export function fileOffsetClock(file: string): Clock {
  return Object.freeze({ now: () => Date.now() + readOffset(file) })
}

function readOffset(file: string): number {
  let text: string
  try {
    text = readFileSync(file, 'utf8').trim()
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0
    throw error
  }
  const offset = Number(text)
  if (!Number.isFinite(offset)) throw new Error(`${file}: not a number of milliseconds: ${text}`)
  return offset
}

/**
 * The clock of a server process: real time, unless GRANARY_TEST_CLOCK_FILE names an offset file
 * in a test run (NODE_ENV=test). Set anywhere else, the server refuses to start: a production
 * server never runs on a clock a file can move.
 */
export function clockFromEnv(env: Readonly<Record<string, string | undefined>>): Clock {
  const file = env.GRANARY_TEST_CLOCK_FILE
  if (!file) return systemClock
  if (env.NODE_ENV !== 'test') {
    throw new ConfigError([
      'GRANARY_TEST_CLOCK_FILE is for test runs only (NODE_ENV=test); unset it to start the server.',
    ])
  }
  return fileOffsetClock(file)
}
