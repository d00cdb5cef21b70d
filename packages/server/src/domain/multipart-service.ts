/**
 * Multipart sessions (issue "Files of any size"): a file sent as numbered parts, in parallel,
 * with part URLs signed on demand, resumable from what the store holds, completed at confirm.
 */
import type { Readable } from 'node:stream'
import { type AuditContext, auditContext } from './audit.ts'
import { type Principal, requirePermission, requireWorkspace } from './auth.ts'
import type { Clock } from './clock.ts'
import { AppError } from './errors.ts'
import { isUploadId } from './ids.ts'
import { assertUploadGranted } from './link-grants.ts'
import type {
  BlobStore,
  MetadataStore,
  MultipartUpload,
  SinglePutUpload,
  StoredBlob,
  StoredPart,
  TransferUrls,
  Upload,
} from './ports.ts'
import type { PartGrant } from './transfer-endpoints.ts'
import {
  acceptsParts,
  asSession,
  discardBytes,
  idleDeadlineAfterActivity,
  isOpen,
  sessionOf,
} from './upload.ts'
import { MAX_PARTS, partLength, partSizeFor, type UploadPolicy } from './upload-policy.ts'

export interface MultipartDeps {
  metadata: MetadataStore
  blobs: BlobStore
  urls: TransferUrls
  policy: UploadPolicy
  clock: Clock
}

/** A signed PUT URL for one part: send exactly `size` bytes with exactly `headers`. */
export interface SignedPart {
  partNumber: number
  size: number
  url: string
  headers: Record<string, string>
  expiresAt: Date
}

/** An upload and, for an open multipart session, the parts the store holds. */
export interface UploadStatus {
  upload: Upload
  parts: StoredPart[]
}

export class MultipartService {
  readonly #deps: MultipartDeps

  constructor(deps: MultipartDeps) {
    this.#deps = deps
  }

  /** Opens the store's session and records the upload; `upload` is a pending upload not yet stored. */
  async start(
    upload: SinglePutUpload,
    partSizeHint: number | undefined,
    audit?: AuditContext,
  ): Promise<MultipartUpload> {
    const partSize = partSizeFor(upload.size, partSizeHint ?? this.#deps.policy.partSize)
    const partCount = Math.max(1, Math.ceil(upload.size / partSize))
    if (partCount > MAX_PARTS)
      throw new AppError('invalid_request', `A file of ${upload.size} bytes is too large.`)
    const storeUploadId = await this.#deps.blobs.createMultipart(upload.blobName, {
      size: upload.size,
      partSize,
      contentType: upload.contentType,
    })
    const layout = { storeUploadId, partSize, partCount }
    const session = asSession(upload, layout, this.#deps.policy)
    await this.#deps.metadata.createUpload(session, { audit })
    return session
  }

  async signParts(
    principal: Principal,
    request: { uploadId: string; workspaceId: string; partNumbers: number[]; expiresIn: number },
  ): Promise<SignedPart[]> {
    const upload = await this.#openSession(principal, request.workspaceId, request.uploadId)
    const layout = upload.multipart
    for (const n of request.partNumbers) {
      if (!Number.isInteger(n) || n < 1 || n > layout.partCount) {
        throw new AppError(
          'invalid_request',
          `Part numbers go from 1 to ${layout.partCount}; ${n} is not one.`,
        )
      }
    }
    await this.#touch(upload)
    const sign = async (partNumber: number): Promise<SignedPart> => {
      const size = partLength(upload.size, layout.partSize, partNumber)
      const signed = await this.#deps.urls.uploadPart({
        uploadId: upload.id,
        blobName: upload.blobName,
        storeUploadId: layout.storeUploadId,
        partNumber,
        size,
        expiresIn: request.expiresIn,
      })
      return { partNumber, size, ...signed }
    }
    return Promise.all([...new Set(request.partNumbers)].map(sign))
  }

  /** Receives one part of a local-backend session whose URL's signature was checked (the grant). */
  async receivePart(grant: PartGrant, body: Readable): Promise<StoredPart> {
    const { uploadId, partNumber } = grant
    const upload = isUploadId(uploadId) ? await this.#deps.metadata.getUpload(uploadId) : undefined
    if (!acceptsParts(upload, this.#deps.clock)) throw sessionGone(uploadId)
    await assertUploadGranted(this.#deps.metadata, upload)
    const { partSize, partCount } = upload.multipart
    if (partNumber < 1 || partNumber > partCount) throw sessionGone(uploadId)
    const size = partLength(upload.size, partSize, partNumber)
    const part = await this.#deps.blobs.putPart(sessionOf(upload), partNumber, body, { size })
    await this.#touch(upload)
    return part
  }

  async status(principal: Principal, workspaceId: string, uploadId: string): Promise<UploadStatus> {
    const upload = await this.#find(principal, workspaceId, uploadId)
    const parts =
      upload.multipart !== null && isOpen(upload)
        ? await this.#deps.blobs.listParts(sessionOf(upload))
        : []
    return { upload, parts }
  }

  /** A workspace's open uploads, newest first. */
  async list(principal: Principal, workspaceId: string): Promise<Upload[]> {
    requirePermission(principal, 'files:write')
    await requireWorkspace(this.#deps.metadata, principal, workspaceId)
    return this.#deps.metadata.listWorkspaceUploads(workspaceId, 1000)
  }

  async abort(principal: Principal, workspaceId: string, uploadId: string): Promise<void> {
    const upload = await this.#find(principal, workspaceId, uploadId)
    const audit = auditContext(principal, this.#deps.clock)
    if (!(await this.#deps.metadata.closeUpload(upload.id, 'aborted', { audit }))) {
      throw new AppError(
        'upload_not_found',
        `Upload '${uploadId}' is not open; it was completed, aborted or expired.`,
      )
    }
    await discardBytes(this.#deps.blobs, upload)
  }

  /** Joins the parts at confirm: every part must be there with its size. */
  async complete(upload: MultipartUpload): Promise<StoredBlob> {
    const layout = upload.multipart
    const parts = await this.#deps.blobs.listParts(sessionOf(upload))
    const byNumber = new Map(parts.map((part) => [part.partNumber, part]))
    const missing: number[] = []
    for (let n = 1; n <= layout.partCount; n++) {
      if (byNumber.get(n)?.size !== partLength(upload.size, layout.partSize, n)) missing.push(n)
    }
    if (missing.length > 0) {
      throw new AppError(
        'upload_not_received',
        `${missing.length} of ${layout.partCount} parts are missing or incomplete; send them, then confirm.`,
        {
          details: { missing_parts: missing.slice(0, 1000) },
        },
      )
    }
    const ordered = [...byNumber.values()].sort((a, b) => a.partNumber - b.partNumber)
    return this.#deps.blobs.completeMultipart(sessionOf(upload), ordered)
  }

  async #openSession(
    principal: Principal,
    workspaceId: string,
    uploadId: string,
  ): Promise<MultipartUpload> {
    const upload = await this.#find(principal, workspaceId, uploadId)
    if (!acceptsParts(upload, this.#deps.clock)) throw sessionGone(uploadId)
    return upload
  }

  async #find(principal: Principal, workspaceId: string, uploadId: string): Promise<Upload> {
    requirePermission(principal, 'files:write')
    await requireWorkspace(this.#deps.metadata, principal, workspaceId)
    const upload = isUploadId(uploadId) ? await this.#deps.metadata.getUpload(uploadId) : undefined
    if (!upload || upload.workspaceId !== workspaceId) {
      throw new AppError(
        'upload_not_found',
        `No upload '${uploadId}' in workspace '${workspaceId}'.`,
      )
    }
    return upload
  }

  /** Activity pushes the idle deadline back, never past the session's hard deadline. */
  async #touch(upload: Upload): Promise<void> {
    const { clock, policy } = this.#deps
    await this.#deps.metadata.touchUpload(
      upload.id,
      idleDeadlineAfterActivity(upload, clock, policy),
    )
  }
}

function sessionGone(uploadId: string): AppError {
  return new AppError(
    'upload_not_found',
    `Upload '${uploadId}' is not an open multipart upload; start a new one.`,
  )
}
