/**
 * The port for backends whose transfer URLs point at Granary itself (the local backend): the
 * HTTP layer serves those URLs through `TransferEndpoints`, which checks each URL's signature
 * before anything is read or written. S3's URLs go straight to S3, so S3 has none.
 */
import type { Readable } from 'node:stream'
import type { LinkGrant } from './link-grants.ts'
import type { ByteRange, StoredPart } from './ports.ts'

/** Where Granary's own transfer URLs point: the URL builder and the routes both use these. */
export const TRANSFER_PATHS = {
  download: '/v1/blobs/*',
  upload: '/v1/uploads/:id/content',
  part: '/v1/uploads/:id/parts/:n',
} as const

export function downloadPath(blobName: string): string {
  // Each segment is percent-encoded, so '#', '?', '%' and '+' in keys survive the trip.
  return TRANSFER_PATHS.download.replace('*', blobName.split('/').map(encodeURIComponent).join('/'))
}

export function uploadPath(uploadId: string): string {
  return TRANSFER_PATHS.upload.replace(':id', encodeURIComponent(uploadId))
}

export function partPath(uploadId: string, partNumber: number): string {
  return TRANSFER_PATHS.part
    .replace(':id', encodeURIComponent(uploadId))
    .replace(':n', String(partNumber))
}

declare const verified: unique symbol

/**
 * A PUT whose URL signature was checked. Only a `TransferEndpoints` makes one, right after the
 * check, and receiving bytes takes one: a route cannot write without the check.
 */
export interface UploadGrant {
  readonly uploadId: string
  readonly size: number
  readonly [verified]: true
}

/** A part PUT whose URL signature was checked (see UploadGrant). */
export interface PartGrant {
  readonly uploadId: string
  readonly partNumber: number
  readonly size: number
  readonly [verified]: true
}

/** What a signed PUT URL carries besides its path (whole uploads and parts alike). */
export interface SignedPut {
  size: number
  /** Unix seconds. */
  expires: number
  signature: string
}

export interface SignedDownloadRequest {
  blobName: string
  /** Unix seconds. */
  expires: number
  disposition: 'attachment' | 'inline'
  contentType: string
  /** Checked on every request: a revoked key or file link generation refuses the URL. */
  grant: LinkGrant
  signature: string
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

/** Granary's own signed endpoints. Bad signature -> invalid_signature; past expiry -> url_expired. */
export interface TransferEndpoints {
  /**
   * Checks the signature, then the grant (link_revoked), then opens the blob or the asked range.
   * Missing -> file_not_found.
   */
  openDownload(request: SignedDownloadRequest, rangeHeader?: string): Promise<SignedDownload>
  /** Checks the signature, then receives exactly the declared bytes, once. */
  receiveUpload(
    request: SignedPut & { uploadId: string },
    body: Readable,
    contentType: string | undefined,
  ): Promise<void>
  /** Checks the signature, then receives one part (sending it again replaces it). */
  receivePart(
    request: SignedPut & { uploadId: string; partNumber: number },
    body: Readable,
  ): Promise<StoredPart>
}
