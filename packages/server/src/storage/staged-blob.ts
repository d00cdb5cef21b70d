/** What every store's `adopt` shares: hashing the staged bytes and the size check's answer. */
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import { AppError } from '../domain/errors.ts'

/** `onProgress` hears the bytes hashed so far (background verification reports them). */
export async function sha256OfStream(
  body: Readable,
  onProgress?: (bytes: number) => void,
): Promise<string> {
  const hash = createHash('sha256')
  let bytes = 0
  for await (const chunk of body) {
    hash.update(chunk as Buffer)
    bytes += (chunk as Buffer).length
    onProgress?.(bytes)
  }
  return hash.digest('hex')
}

export function stagedSizeMismatch(received: number, declared: number): AppError {
  return new AppError(
    'size_mismatch',
    `${received} bytes arrived, not the ${declared} declared; upload again.`,
  )
}

export function stagedBytesChanged(cause: unknown): AppError {
  return new AppError(
    'upload_superseded',
    'The uploaded bytes were replaced while they were being confirmed; confirm again.',
    { cause },
  )
}
