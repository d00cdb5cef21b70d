import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { parseRange } from './byte-ranges.ts'
import { AppError } from './errors.ts'
import type { BlobStore, ByteRange } from './ports.ts'

export interface OpenedBlob {
  body: Readable
  size: number
  range: ByteRange | undefined
  etag: string
}

/** Opens a blob, or the range a `Range` header asks for, to serve it. Missing -> file_not_found. */
export async function openBlob(
  blobs: BlobStore,
  blobName: string,
  rangeHeader: string | undefined,
): Promise<OpenedBlob> {
  const stat = await blobs.stat(blobName)
  if (!stat) throw new AppError('file_not_found', 'The file no longer exists.')
  const range = parseRange(rangeHeader, stat.size)
  // An empty file has no bytes to read (and no valid range to read them with).
  const body =
    stat.size === 0 ? Readable.from([]) : await blobs.read(blobName, range ? { range } : {})
  // Blobs are immutable and their names unique, so the name identifies the bytes.
  const etag = `"${createHash('sha256').update(blobName).digest('base64url').slice(0, 32)}"`
  return { body, size: stat.size, range, etag }
}
