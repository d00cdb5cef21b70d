import { AppError } from './errors.ts'
import type { ByteRange } from './ports.ts'

/**
 * Parses a `Range` header (RFC 9110 §14.1.2) against a size. A single range is honoured; a
 * missing, malformed or multi-range header, or an empty file, answers the whole body (undefined),
 * as the RFC allows. A valid range that starts past the end -> range_not_satisfiable.
 */
export function parseRange(header: string | undefined, size: number): ByteRange | undefined {
  const match = header?.trim().match(/^bytes=(\d*)-(\d*)$/)
  if (!match || size === 0) return undefined
  const [, first = '', last = ''] = match
  if (first === '' && last === '') return undefined
  if (first === '') {
    const suffix = Number(last)
    if (suffix === 0) throw unsatisfiable(size)
    return { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(first)
  if (last !== '' && Number(last) < start) return undefined
  if (start >= size) throw unsatisfiable(size)
  return {
    start,
    end: last === '' ? size - 1 : Math.min(Number(last), size - 1),
  }
}

function unsatisfiable(size: number): AppError {
  return new AppError(
    'range_not_satisfiable',
    `The file has ${size} bytes; ask for a range inside it.`,
    {
      details: { size },
    },
  )
}
