import type { ErrorCode, ErrorDetails } from '@granary/protocol'

export interface AppErrorOptions<C extends ErrorCode = ErrorCode> {
  cause?: unknown
  /** Only the fields protocol's errorDetailsSchemas lists for this code (snake_case, like the wire). */
  details?: ErrorDetails<C>
}

/** The one error type the domain and adapters throw; http/error-handler.ts maps codes to statuses. */
export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C
  readonly details: Readonly<Record<string, unknown>> | undefined

  constructor(code: C, message: string, options: AppErrorOptions<C> = {}) {
    super(message, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.details = options.details
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code)
}
