import { addAbortSignal, pipeline, Readable } from 'node:stream'
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3'
import { Upload } from '@aws-sdk/lib-storage'
import { AppError } from '../../domain/errors.ts'
import type {
  BlobListing,
  BlobStore,
  ByteRange,
  IoOptions,
  MultipartSession,
  PutBlobOptions,
  StoredBlob,
  StoredPart,
} from '../../domain/ports.ts'
import { MeteredBody } from '../metered-body.ts'
import { sha256OfStream, stagedBytesChanged, stagedSizeMismatch } from '../staged-blob.ts'
import {
  createS3Client,
  type FrozenS3Config,
  freezeS3Config,
  type S3StoreConfig,
} from './s3-client.ts'
import { bodyFailure, isNotFound, s3ErrorOf, storageError } from './s3-errors.ts'
import { S3Multipart } from './s3-multipart.ts'

// S3 allows at most 10,000 parts per multipart upload.
const MAX_PARTS = 10_000

/**
 * Blobs as objects `<prefix><name>` in one bucket. put() streams through lib-storage's multipart
 * Upload (at most queueSize x partSize bytes in memory) behind a pass-through that hashes and
 * enforces the size, so an oversized or short body aborts the upload and leaves no object.
 */
export class S3BlobStore implements BlobStore {
  readonly client: S3Client
  readonly config: FrozenS3Config
  readonly #multipart: S3Multipart

  private constructor(client: S3Client, config: FrozenS3Config) {
    this.client = client
    this.config = config
    this.#multipart = new S3Multipart(client, config)
  }

  /** Builds the client; no request is made (call check() to test the bucket). */
  static async open(config: S3StoreConfig): Promise<S3BlobStore> {
    const frozen = freezeS3Config(config)
    return new S3BlobStore(createS3Client(frozen), frozen)
  }

  async put(name: string, body: Readable, options: PutBlobOptions = {}): Promise<StoredBlob> {
    const Key = this.#key(name)
    const meter = new MeteredBody(options)
    // Errors of the body or the meter (size limits, abort) end the data lib-storage reads, so it
    // aborts the multipart upload (or never sends the single PUT) before done() rejects. The
    // pipeline is built first so a body error while HeadObject runs is never unhandled.
    const source = pipeline(body, meter, () => {
      // Read from `source.errored` below: set synchronously on destroy, before lib-storage fails.
    })
    if (options.signal) addAbortSignal(options.signal, meter)
    try {
      await this.#refuseExisting(Key, options.signal)
      await this.#upload(Key, source, options).done()
      return { size: meter.byteCount, sha256: meter.sha256 }
    } catch (error) {
      const failure = source.errored
        ? bodyFailure(source.errored, meter.byteCount)
        : storageError(error, 'store a blob')
      meter.destroy()
      throw failure
    }
  }

  #upload(Key: string, body: Readable, options: PutBlobOptions): Upload {
    return new Upload({
      client: this.client,
      params: { Bucket: this.config.bucket, Key, Body: body, ContentType: options.contentType },
      partSize: this.#partSize(options),
      queueSize: this.config.queueSize,
      leavePartsOnError: false,
    })
  }

  // Multipart sessions: see s3-multipart.ts.
  createMultipart(
    blobName: string,
    options: { size: number; partSize: number; contentType: string } & IoOptions,
  ): Promise<string> {
    return this.#multipart.createMultipart(blobName, options)
  }

  putPart(
    session: MultipartSession,
    partNumber: number,
    body: Readable,
    options: { size: number } & IoOptions,
  ): Promise<StoredPart> {
    return this.#multipart.putPart(session, partNumber, body, options)
  }

  listParts(session: MultipartSession, options?: IoOptions): Promise<StoredPart[]> {
    return this.#multipart.listParts(session, options)
  }

  completeMultipart(
    session: MultipartSession,
    parts: readonly StoredPart[],
    options?: IoOptions,
  ): Promise<StoredBlob> {
    return this.#multipart.completeMultipart(session, parts, options)
  }

  abortMultipart(session: MultipartSession, options?: IoOptions): Promise<void> {
    return this.#multipart.abortMultipart(session, options)
  }

  async stat(name: string, options: IoOptions = {}): Promise<StoredBlob | undefined> {
    try {
      const head = await this.client.send(
        new HeadObjectCommand({
          Bucket: this.config.bucket,
          Key: this.#key(name),
          ChecksumMode: 'ENABLED',
        }),
        { abortSignal: options.signal },
      )
      return { size: head.ContentLength ?? 0, sha256: sha256Of(head) }
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw storageError(error, 'look up a blob')
    }
  }

  async read(name: string, options: IoOptions & { range?: ByteRange } = {}): Promise<Readable> {
    const { range, signal } = options
    try {
      const object = await this.client.send(
        new GetObjectCommand({
          Bucket: this.config.bucket,
          Key: this.#key(name),
          ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
        }),
        { abortSignal: signal },
      )
      if (!(object.Body instanceof Readable))
        throw new TypeError('GetObject answered no Node stream')
      return object.Body
    } catch (error) {
      throw readError(error)
    }
  }

  /**
   * HeadObject gives the staged version's ETag; the hash reads that version (If-Match) and the
   * copy takes it (x-amz-copy-source-if-match), so a PUT replayed meanwhile fails the adoption
   * instead of slipping other bytes under the verified hash. Single PUTs are at most 5 GiB,
   * CopyObject's limit.
   */
  async adopt(
    staged: string,
    name: string,
    options: { exactSize: number; onProgress?: (bytes: number) => void },
  ): Promise<StoredBlob | undefined> {
    const source = this.#key(staged)
    const head = await this.#head(source)
    if (!head) return undefined
    const size = head.ContentLength ?? 0
    if (size !== options.exactSize) {
      await this.delete(staged)
      throw stagedSizeMismatch(size, options.exactSize)
    }
    const bucket = this.config.bucket
    try {
      const object = await this.client.send(
        new GetObjectCommand({ Bucket: bucket, Key: source, IfMatch: head.ETag }),
      )
      const sha256 = await sha256OfStream(object.Body as Readable, options.onProgress)
      await this.client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: this.#key(name),
          CopySource: `${bucket}/${source.split('/').map(encodeURIComponent).join('/')}`,
          CopySourceIfMatch: head.ETag,
          MetadataDirective: 'COPY',
        }),
      )
      await this.delete(staged)
      return { size, sha256 }
    } catch (error) {
      if (s3ErrorOf(error).status === 412) throw stagedBytesChanged(error)
      throw storageError(error, 'adopt an uploaded object')
    }
  }

  async #head(Key: string): Promise<HeadObjectCommandOutput | undefined> {
    try {
      return await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key }))
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw storageError(error, 'inspect an uploaded object')
    }
  }

  async delete(name: string, options: IoOptions = {}): Promise<void> {
    try {
      await this.client.send(
        new DeleteObjectCommand({
          Bucket: this.config.bucket,
          Key: this.#key(name),
        }),
        {
          abortSignal: options.signal,
        },
      )
    } catch (error) {
      if (isNotFound(error)) return
      throw storageError(error, 'delete a blob')
    }
  }

  /** ListObjectsV2 under the prefix, a page of 1,000 at a time. */
  async *listBlobs(options: IoOptions = {}): AsyncIterable<BlobListing> {
    const prefix = this.config.prefix ?? ''
    let token: string | undefined
    do {
      const page = await this.client
        .send(
          new ListObjectsV2Command({
            Bucket: this.config.bucket,
            Prefix: prefix,
            ContinuationToken: token,
          }),
          {
            abortSignal: options.signal,
          },
        )
        .catch((error: unknown) => {
          throw storageError(error, 'list the bucket')
        })
      for (const object of page.Contents ?? []) {
        if (!object.Key) continue
        yield {
          name: object.Key.slice(prefix.length),
          size: object.Size ?? 0,
          modifiedAt: object.LastModified ?? new Date(0),
        }
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined
    } while (token)
  }

  /** HeadBucket: proves the bucket exists and the credentials may use it; writes nothing. */
  async check(options: IoOptions = {}): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.config.bucket }), {
        abortSignal: options.signal,
      })
    } catch (error) {
      throw storageError(error, `reach the bucket '${this.config.bucket}'`)
    }
  }

  async close(): Promise<void> {
    this.client.destroy()
  }

  #key(name: string): string {
    return `${this.config.prefix}${name}`
  }

  /** Big enough that the largest allowed body fits in 10,000 parts. */
  #partSize(options: PutBlobOptions): number {
    const largest = options.exactSize ?? options.maxSize ?? 0
    return Math.max(this.config.partSize, Math.ceil(largest / MAX_PARTS))
  }

  // Names are unique per version, so this only catches a repeated PUT of the same upload.
  async #refuseExisting(Key: string, signal?: AbortSignal): Promise<void> {
    let exists = true
    try {
      await this.client.send(new HeadObjectCommand({ Bucket: this.config.bucket, Key }), {
        abortSignal: signal,
      })
    } catch (error) {
      if (!isNotFound(error)) throw storageError(error, 'store a blob')
      exists = false
    }
    if (exists) throw new AppError('upload_already_received', 'These bytes were already received.')
  }
}

function readError(error: unknown): unknown {
  const { name, status } = s3ErrorOf(error)
  if (isNotFound(error)) {
    return new AppError('file_not_found', 'The file no longer exists.', {
      cause: error,
    })
  }
  if (name === 'InvalidRange' || status === 416) {
    return new AppError('range_not_satisfiable', 'The requested range lies outside the file.', {
      cause: error,
    })
  }
  return storageError(error, 'read a blob')
}

/** AWS returns a full-object SHA-256 only when the PUT carried one; multipart ones end in `-N`. */
function sha256Of(head: HeadObjectCommandOutput): string | null {
  const checksum = head.ChecksumSHA256
  if (!checksum || checksum.includes('-') || head.ChecksumType === 'COMPOSITE') return null
  const hex = Buffer.from(checksum, 'base64').toString('hex')
  return hex.length === 64 ? hex : null
}
