/**
 * The local backend's signed URLs: what each one's signature covers, and checking them when a
 * client comes back with one. The URL shapes themselves are built in storage/local.
 */
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { parseRange } from './byte-ranges.ts'
import { AppError } from './errors.ts'
import { nameOf } from './keys.ts'
import type { BlobStore, ByteRange } from './ports.ts'
import type { UrlSigner } from './url-signer.ts'

export interface DownloadGrant {
  blobName: string
  /** Unix seconds. */
  expires: number
  disposition: 'attachment' | 'inline'
  contentType: string
}

export function downloadSignatureParts(grant: DownloadGrant): string[] {
  return ['GET', grant.blobName, String(grant.expires), grant.disposition, grant.contentType]
}

export function uploadSignatureParts(uploadId: string, size: number, expires: number): string[] {
  return ['PUT', uploadId, String(size), String(expires)]
}

export function partSignatureParts(
  uploadId: string,
  partNumber: number,
  size: number,
  expires: number,
): string[] {
  return ['PUT-PART', uploadId, String(partNumber), String(size), String(expires)]
}

export interface SignedDownload {
  body: Readable
  size: number
  range: ByteRange | undefined
  filename: string
  contentType: string
  disposition: 'attachment' | 'inline'
  etag: string
}

export class SignedTransfers {
  readonly #signer: UrlSigner
  readonly #blobs: BlobStore

  constructor(signer: UrlSigner, blobs: BlobStore) {
    this.#signer = signer
    this.#blobs = blobs
  }

  /** Checks the signature, then opens the blob (or the asked range of it). */
  async openDownload(
    grant: DownloadGrant,
    signature: string,
    rangeHeader?: string,
  ): Promise<SignedDownload> {
    this.#signer.verify(downloadSignatureParts(grant), signature, grant.expires)
    const stat = await this.#blobs.stat(grant.blobName)
    if (!stat) throw new AppError('file_not_found', 'The file no longer exists.')
    const range = parseRange(rangeHeader, stat.size)
    // An empty file has no bytes to read (and no valid range to read them with).
    const body =
      stat.size === 0
        ? Readable.from([])
        : await this.#blobs.read(grant.blobName, range ? { range } : {})
    return {
      body,
      size: stat.size,
      range,
      filename: nameOf(grant.blobName),
      contentType: grant.contentType,
      disposition: grant.disposition,
      // Blobs are immutable and their names unique, so the name identifies the bytes.
      etag: `"${createHash('sha256').update(grant.blobName).digest('base64url').slice(0, 32)}"`,
    }
  }

  verifyUpload(uploadId: string, size: number, expires: number, signature: string): void {
    this.#signer.verify(uploadSignatureParts(uploadId, size, expires), signature, expires)
  }

  verifyPart(
    part: { uploadId: string; partNumber: number; size: number; expires: number },
    signature: string,
  ): void {
    const parts = partSignatureParts(part.uploadId, part.partNumber, part.size, part.expires)
    this.#signer.verify(parts, signature, part.expires)
  }
}
