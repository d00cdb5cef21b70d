import {
  type $Command,
  GetObjectCommand,
  PutObjectCommand,
  type S3Client,
  type S3ClientResolvedConfig,
  type ServiceInputTypes,
  type ServiceOutputTypes,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import contentDisposition from 'content-disposition'
import type { Clock } from '../../domain/clock.ts'
import type {
  DownloadUrlRequest,
  PartUrlRequest,
  SignedUrl,
  TransferUrls,
  UploadUrlRequestForBlob,
} from '../../domain/ports.ts'
import {
  createS3Client,
  type FrozenS3Config,
  freezeS3Config,
  type S3StoreConfig,
} from './s3-client.ts'
import { storageError } from './s3-errors.ts'

// SigV4 presigned URLs live at most 7 days.
const MAX_EXPIRES_IN = 7 * 24 * 3600

/**
 * Real S3 presigned URLs: clients move bytes straight to and from the store. Signing is local
 * (no request is made), so these URLs are only as good as the credentials the client was given.
 */
export class S3TransferUrls implements TransferUrls {
  readonly #client: S3Client
  readonly #config: FrozenS3Config
  readonly #clock: Clock

  /** Shares the client (and so credentials and endpoint) of an S3BlobStore. */
  constructor(client: S3Client, config: FrozenS3Config, clock: Clock) {
    this.#client = client
    this.#config = config
    this.#clock = clock
  }

  static async open(config: S3StoreConfig, clock: Clock): Promise<S3TransferUrls> {
    const frozen = freezeS3Config(config)
    return new S3TransferUrls(createS3Client(frozen), frozen, clock)
  }

  /** S3 serves the headers from the signed `response-*` parameters; Range is honoured as usual. */
  async download(request: DownloadUrlRequest): Promise<SignedUrl> {
    const command = new GetObjectCommand({
      Bucket: this.#config.bucket,
      Key: this.#key(request.blobName),
      // RFC 6266: a quoted ASCII fallback plus filename* (RFC 8187, UTF-8) for non-ASCII names.
      // The package's own fallback keeps Latin-1 letters raw, which S3 echoes back as UTF-8 bytes.
      ResponseContentDisposition: contentDisposition(request.filename, {
        type: request.disposition,
        fallback: asciiFallback(request.filename),
      }),
      ResponseContentType: request.contentType,
      // The bucket sends what the URL asks (response-cache-control): no cache keeps the bytes.
      ResponseCacheControl: 'private, no-store',
    })
    return this.#sign(command, request.expiresIn)
  }

  /**
   * Content-Type is signed, so the PUT must send exactly `headers`. S3 cannot cap a presigned
   * PUT's size: confirm checks it with HeadObject and deletes a wrong-sized object.
   */
  async upload(
    request: UploadUrlRequestForBlob,
  ): Promise<SignedUrl & { headers: Record<string, string> }> {
    const command = new PutObjectCommand({
      Bucket: this.#config.bucket,
      Key: this.#key(request.blobName),
      ContentType: request.contentType,
    })
    const signed = await this.#sign(command, request.expiresIn, new Set(['content-type']))
    return { ...signed, headers: { 'Content-Type': request.contentType } }
  }

  /**
   * A presigned UploadPart. Nothing is signed but the host, so the PUT needs no header of its
   * own; any HTTP client sends the Content-Length S3 requires. The store answers the part's ETag
   * (its MD5 on RGW and on AWS without SSE-KMS) for the client to compare with its own MD5, and
   * checks a `Content-MD5` the client chooses to send (400 BadDigest). The size is not enforced
   * here: listParts reports each part's size and the domain checks them before completing.
   */
  async uploadPart(
    request: PartUrlRequest,
  ): Promise<SignedUrl & { headers: Record<string, string> }> {
    const command = new UploadPartCommand({
      Bucket: this.#config.bucket,
      Key: this.#key(request.blobName),
      UploadId: request.storeUploadId,
      PartNumber: request.partNumber,
    })
    return { ...(await this.#sign(command, request.expiresIn)), headers: {} }
  }

  async #sign<Input extends ServiceInputTypes, Output extends ServiceOutputTypes>(
    command: $Command<Input, Output, S3ClientResolvedConfig, ServiceInputTypes, ServiceOutputTypes>,
    expiresIn: number,
    signableHeaders?: Set<string>,
  ): Promise<SignedUrl> {
    const seconds = Math.max(1, Math.min(Math.floor(expiresIn), MAX_EXPIRES_IN))
    // Signed at the clock's time: S3 checks the expiry against its own (real) clock.
    const signedAt = this.#clock.now()
    try {
      const url = await getSignedUrl(this.#client, command, {
        signingDate: new Date(signedAt),
        expiresIn: seconds,
        ...(signableHeaders ? { signableHeaders } : {}),
      })
      return { url, expiresAt: new Date(signedAt + seconds * 1000) }
    } catch (error) {
      // Only credential resolution can fail here (e.g. no credentials in the default chain).
      throw storageError(error, 'sign a URL')
    }
  }

  #key(name: string): string {
    return `${this.#config.prefix}${name}`
  }
}

/** `résumé 1.txt` -> `resume 1.txt`; what has no ASCII form becomes `_`. */
function asciiFallback(filename: string): string {
  return filename
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, '_')
}
