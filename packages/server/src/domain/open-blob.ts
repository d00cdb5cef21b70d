import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { parseRange } from './byte-ranges.ts'
import { AppError } from './errors.ts'
import type { BlobStore, ByteRange, OpenStoredBlob } from './ports.ts'

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
  if (blobs.open) return openedOnce(blobs.open.bind(blobs), blobName, rangeHeader)
  const stat = await blobs.stat(blobName)
  if (!stat) throw missing()
  const range = parseRange(rangeHeader, stat.size)
  // An empty file has no bytes to read (and no valid range to read them with).
  const body =
    stat.size === 0 ? Readable.from([]) : await blobs.read(blobName, range ? { range } : {})
  return { body, size: stat.size, range, etag: etagOf(blobName) }
}

async function openedOnce(
  open: NonNullable<BlobStore['open']>,
  blobName: string,
  rangeHeader: string | undefined,
): Promise<OpenedBlob> {
  const blob = await open(blobName)
  if (!blob) throw missing()
  try {
    const range = parseRange(rangeHeader, blob.size)
    const body = blob.size === 0 ? emptyBody(blob) : blob.read(range)
    return { body, size: blob.size, range, etag: etagOf(blobName) }
  } catch (error) {
    await blob.close()
    throw error
  }
}

function emptyBody(blob: OpenStoredBlob): Readable {
  void blob.close()
  return Readable.from([])
}

const missing = () => new AppError('file_not_found', 'The file no longer exists.')

/** Blobs are immutable and their names unique, so the name identifies the bytes. */
function etagOf(blobName: string): string {
  return `"${createHash('sha256').update(blobName).digest('base64url').slice(0, 32)}"`
}
