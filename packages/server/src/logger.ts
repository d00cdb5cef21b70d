/**
 * The process's logger. It exists before anything is opened, so what goes wrong while starting
 * (an unreachable database, a failed migration, a lost connection) is logged like the rest.
 */
import type { DestinationStream, Logger } from 'pino'
import { pino } from 'pino'
import { loggerOptions } from './http/log-redaction.ts'

/** pino at `level`, every line redacted; to stdout unless given a destination (tests). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level))
}
