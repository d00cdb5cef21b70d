import type { ErrorCode } from '@granary/protocol'

export interface AppErrorOptions {
  cause?: unknown
  details?: Record<string, unknown>
}

/** The one error type the domain and adapters throw; http/error-handler.ts maps codes to statuses. */
export class AppError extends Error {
  readonly code: ErrorCode
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, { cause: options.cause })
    this.name = 'AppError'
    this.code = code
    this.details = options.details
  }
}

export function isAppError(error: unknown, code?: ErrorCode): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code)
}
