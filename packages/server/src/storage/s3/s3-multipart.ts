import { addAbortSignal, pipeline, type Readable } from 'node:stream'
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  HeadObjectCommand,
  ListPartsCommand,
  type ListPartsCommandOutput,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3'
import { AppError } from '../../domain/errors.ts'
import type {
  IoOptions,
  MultipartSession,
  MultipartStore,
  StoredBlob,
  StoredPart,
} from '../../domain/ports.ts'
import { MeteredBody } from '../metered-body.ts'
import type { FrozenS3Config } from './s3-client.ts'
import { bodyFailure, isNotFound, s3ErrorOf, storageError } from './s3-errors.ts'
import { PartBody } from './s3-part-body.ts'

/**
 * S3 multipart uploads as the port's sessions: the store's UploadId is the session id, parts are
 * kept by the store (not visible as an object) until CompleteMultipartUpload.
 *
 * What the store verifies per part: both AWS and Ceph RGW check `Content-MD5` when it is sent
 * (400 BadDigest), and AWS also checks `x-amz-checksum-*` (RGW only from Ceph 18). A streamed part
 * cannot send its MD5 up front, so putPart computes it while streaming and compares it with the
 * part's ETag, which is the MD5 of the bytes stored on RGW and on AWS for parts without SSE-KMS or
 * SSE-C (there the ETag is opaque and the comparison is skipped). Parts PUT by clients through
 * presigned URLs are verified the same way by the client, which gets the ETag in the answer.
 */
export class S3Multipart implements MultipartStore {
  readonly #client: S3Client
  readonly #config: FrozenS3Config

  constructor(client: S3Client, config: FrozenS3Config) {
    this.#client = client
    this.#config = config
  }

  async createMultipart(
    blobName: string,
    options: { size: number; partSize: number; contentType: string } & IoOptions,
  ): Promise<string> {
    const command = new CreateMultipartUploadCommand({
      Bucket: this.#config.bucket,
      Key: this.#key(blobName),
      ContentType: options.contentType,
    })
    try {
      const { UploadId } = await this.#client.send(command, { abortSignal: options.signal })
      if (!UploadId) throw new TypeError('CreateMultipartUpload answered no UploadId')
      return UploadId
    } catch (error) {
      throw storageError(error, 'start a multipart upload')
    }
  }

  async putPart(
    session: MultipartSession,
    partNumber: number,
    body: Readable,
    options: { size: number } & IoOptions,
  ): Promise<StoredPart> {
    const meter = new MeteredBody({ exactSize: options.size })
    const part = new PartBody()
    // pipe() into the HTTP request does not end it when the body fails: abort the request so the
    // store drops the partial part instead of waiting for the missing bytes.
    const stop = new AbortController()
    const source = pipeline(body, meter, part, (error) => {
      if (error) stop.abort(error)
    })
    if (options.signal) addAbortSignal(options.signal, meter)
    const signals = options.signal ? [stop.signal, options.signal] : [stop.signal]
    try {
      const { ETag } = await this.#client.send(
        new UploadPartCommand({
          ...this.#target(session),
          PartNumber: partNumber,
          Body: source,
          ContentLength: options.size,
        }),
        { abortSignal: AbortSignal.any(signals) },
      )
      if (source.errored) throw source.errored
      verifyEtag(partNumber, ETag, part.md5)
      return { partNumber, size: meter.byteCount, sha256: meter.sha256, etag: ETag ?? null }
    } catch (error) {
      const failure = source.errored
        ? bodyFailure(source.errored, meter.byteCount)
        : sessionError(error, 'store a part')
      meter.destroy()
      throw failure
    }
  }

  /** ListParts pages through at most 1,000 parts per request. */
  async listParts(session: MultipartSession, options: IoOptions = {}): Promise<StoredPart[]> {
    const parts: StoredPart[] = []
    let marker: string | undefined
    do {
      const page = await this.#listPage(session, marker, options.signal)
      for (const part of page.Parts ?? []) parts.push(storedPart(part))
      marker = page.IsTruncated ? page.NextPartNumberMarker : undefined
    } while (marker)
    return parts.sort((a, b) => a.partNumber - b.partNumber)
  }

  async #listPage(
    session: MultipartSession,
    marker: string | undefined,
    signal?: AbortSignal,
    maxParts?: number,
  ): Promise<ListPartsCommandOutput> {
    const command = new ListPartsCommand({
      ...this.#target(session),
      PartNumberMarker: marker,
      MaxParts: maxParts,
    })
    try {
      return await this.#client.send(command, { abortSignal: signal })
    } catch (error) {
      throw sessionError(error, 'list the parts of an upload')
    }
  }

  /**
   * S3 can answer CompleteMultipartUpload 200 with an `<Error>` body (it answers 200 before the
   * parts are joined). SDK v3's throw200Exceptions middleware turns such an answer, and an empty
   * one, into a 503 that is retried and then thrown (see s3-multipart.test.ts); HeadObject then
   * proves the object is there with the sum of the parts' sizes rather than trusting the answer.
   */
  async completeMultipart(
    session: MultipartSession,
    parts: readonly StoredPart[],
    options: IoOptions = {},
  ): Promise<StoredBlob> {
    const tagged = await this.#withEtags(session, parts, options)
    const command = new CompleteMultipartUploadCommand({
      ...this.#target(session),
      MultipartUpload: {
        Parts: tagged.map((part) => ({ PartNumber: part.partNumber, ETag: part.etag ?? '' })),
      },
    })
    const expected = tagged.reduce((sum, part) => sum + part.size, 0)
    try {
      await this.#client.send(command, { abortSignal: options.signal })
    } catch (error) {
      await this.#explainFailedComplete(session, error, expected, options)
    }
    const size = await this.#sizeOf(session, options)
    if (size !== expected)
      throw storageError(
        new Error(`the object has ${size} bytes, the parts ${expected}`),
        'join the parts',
      )
    return { size, sha256: null }
  }

  /**
   * Returns when the blob is there after all: a retry of a completion whose answer was lost finds
   * no upload (AWS NoSuchUpload). Otherwise throws what went wrong; Ceph RGW 16 answers a
   * completion of an aborted upload 500 InternalError "already in progress" where AWS says
   * NoSuchUpload, so whether the session still exists is asked with ListParts.
   */
  async #explainFailedComplete(
    session: MultipartSession,
    error: unknown,
    expected: number,
    options: IoOptions,
  ): Promise<void> {
    if (PARTS_REFUSED.has(s3ErrorOf(error).name)) throw partsRefused(error)
    if ((await this.#sizeOf(session, options)) === expected) return
    if (!isMissingUpload(error)) await this.#listPage(session, undefined, options.signal, 1)
    throw sessionError(error, 'join the parts')
  }

  /** Parts answered without an ETag (the domain's own records) take the store's. */
  async #withEtags(
    session: MultipartSession,
    parts: readonly StoredPart[],
    options: IoOptions,
  ): Promise<readonly StoredPart[]> {
    if (parts.every((part) => part.etag)) return parts
    const stored = new Map((await this.listParts(session, options)).map((p) => [p.partNumber, p]))
    return parts.map((part) => ({
      ...part,
      etag: part.etag ?? stored.get(part.partNumber)?.etag ?? null,
    }))
  }

  async #sizeOf(session: MultipartSession, options: IoOptions): Promise<number | undefined> {
    const command = new HeadObjectCommand({
      Bucket: this.#config.bucket,
      Key: this.#key(session.blobName),
    })
    try {
      return (await this.#client.send(command, { abortSignal: options.signal })).ContentLength
    } catch (error) {
      if (isNotFound(error)) return undefined
      throw storageError(error, 'look up the joined blob')
    }
  }

  /**
   * Parts still being uploaded when the abort lands may be stored afterwards (AWS documents it),
   * but they belong to no upload and are freed with it; completing afterwards fails.
   */
  async abortMultipart(session: MultipartSession, options: IoOptions = {}): Promise<void> {
    try {
      await this.#client.send(new AbortMultipartUploadCommand(this.#target(session)), {
        abortSignal: options.signal,
      })
    } catch (error) {
      if (isMissingUpload(error)) return
      throw storageError(error, 'abort a multipart upload')
    }
  }

  #target(session: MultipartSession) {
    return {
      Bucket: this.#config.bucket,
      Key: this.#key(session.blobName),
      UploadId: session.storeUploadId,
    }
  }

  #key(name: string): string {
    return `${this.#config.prefix}${name}`
  }
}

function storedPart(part: NonNullable<ListPartsCommandOutput['Parts']>[number]): StoredPart {
  return {
    partNumber: part.PartNumber ?? 0,
    size: part.Size ?? 0,
    sha256: null,
    etag: part.ETag ?? null,
  }
}

/** An ETag that is an MD5 must be the MD5 of what was sent; an opaque one (SSE-KMS) is skipped. */
function verifyEtag(partNumber: number, etag: string | undefined, md5: string): void {
  const tag = etag?.replaceAll('"', '').toLowerCase() ?? ''
  if (!/^[0-9a-f]{32}$/.test(tag) || tag === md5) return
  throw new AppError(
    'checksum_mismatch',
    `Part ${partNumber} reached the store altered (its MD5 differs from the bytes sent); send it again.`,
    { details: { part_number: partNumber, etag: tag, md5 } },
  )
}

/** NoSuchUpload; Ceph RGW says NoSuchKey for an aborted upload's parts. */
function isMissingUpload(error: unknown): boolean {
  return s3ErrorOf(error).name === 'NoSuchUpload' || isNotFound(error)
}

function sessionError(error: unknown, action: string): unknown {
  if (!isMissingUpload(error)) return storageError(error, action)
  return new AppError(
    'upload_not_found',
    'The upload session no longer exists (completed, aborted or expired); start a new upload.',
    { cause: error },
  )
}

// InvalidPart: a part is missing or its ETag differs; EntityTooSmall: a part other than the last
// is under 5 MiB. Both mean the parts must be sent again, not that the store failed.
const PARTS_REFUSED = new Set(['InvalidPart', 'InvalidPartOrder', 'EntityTooSmall'])

function partsRefused(error: unknown): AppError {
  const { name } = s3ErrorOf(error)
  return new AppError(
    'upload_not_received',
    `The store refused the parts (${name}); send the missing or wrong-sized parts again.`,
    { cause: error, details: { storage_error: name } },
  )
}
