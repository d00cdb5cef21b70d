/**
 * The seed's large-file flow: upload-url creates a pending upload and a signed PUT URL, the
 * client PUTs the bytes (to Granary itself on the local backend, straight to S3 otherwise), and
 * upload-confirm checks them and makes the file visible in one transaction.
 */

import type { Readable } from 'node:stream'
import type { ErrorCode } from '@granary/protocol'
import { crashPoint } from '../crash-points.ts'
import { sha256OfStream } from '../storage/staged-blob.ts'
import { type AuditContext, auditContext } from './audit.ts'
import { hasPermission, type Principal, requirePermission, requireWorkspace } from './auth.ts'
import { stagedNameFor } from './blob-names.ts'
import { type Clock, isoNow } from './clock.ts'
import { contentTypeFor } from './content-types.ts'
import { AppError, isAppError } from './errors.ts'
import { blobNameFor, type FileService, fileExists } from './file-service.ts'
import { isUploadId, newFileId, newUploadId } from './ids.ts'
import { keyFor, nameOf, validateKey } from './keys.ts'
import { assertUploadGranted } from './link-grants.ts'
import type { MultipartService } from './multipart-service.ts'
import type {
  BlobStore,
  FileRecord,
  FileReference,
  MetadataStore,
  MultipartUpload,
  SignedUrl,
  SinglePutUpload,
  TransferUrls,
  Upload,
} from './ports.ts'
import { assertRoomFor } from './quota.ts'
import type { UploadGrant } from './transfer-endpoints.ts'
import { discardBytes, isExpired, newUpload, putVerdict } from './upload.ts'
import type { UploadPolicy } from './upload-policy.ts'

export interface LargeUploadDeps {
  metadata: MetadataStore
  blobs: BlobStore
  urls: TransferUrls
  files: FileService
  multipart: MultipartService
  policy: UploadPolicy
  clock: Clock
  /** A confirm left an upload verifying: the verifier should look for work. */
  onVerifying?: () => void
}

/** Who finishes a confirm (for the audit trail), and who hears of the bytes read back. */
interface Finishing {
  audit: AuditContext
  onProgress?: ((bytes: number) => void) | undefined
}

/** A confirm answered 202: the bytes are read back in the background (upload-verifier.ts). */
export interface Verifying {
  verifyingUploadId: string
}

/** What upload-url asks for. */
export interface UploadRequest {
  workspaceId: string
  filename: string
  path?: string
  size: number
  contentType?: string
  description?: string
  /** The SHA-256 the client declares; confirm checks the bytes against it. */
  sha256?: string
  overwrite: boolean
  expiresIn: number
  /** A multipart session whatever the size. */
  multipart?: boolean
  partSizeHint?: number
}

/** What upload-confirm names: the upload by its key, or by its id when several are pending. */
export interface ConfirmRequest {
  workspaceId: string
  fileKey: string
  size: number
  uploadId?: string
  sha256?: string
}

/** A started upload: one signed PUT (the seed's flow), or a session whose parts are signed later. */
export type StartedUpload =
  | { upload: SinglePutUpload; put: SignedUrl & { headers: Record<string, string> } }
  | { upload: MultipartUpload; put: null }

export class LargeUploadService {
  readonly #deps: LargeUploadDeps

  constructor(deps: LargeUploadDeps) {
    this.#deps = deps
  }

  /** One PUT URL (the seed's flow), or a multipart session for large files or when asked. */
  async createUploadUrl(principal: Principal, request: UploadRequest): Promise<StartedUpload> {
    await this.#authorize(principal, request.workspaceId)
    const key = keyFor(request.path, request.filename)
    const { overwrite } = request
    if (!overwrite && (await this.#deps.metadata.getFile(request.workspaceId, key)))
      throw fileExists(key)
    await assertRoomFor(this.#deps.metadata, request.workspaceId, { files: 1, bytes: request.size })
    const { policy, clock } = this.#deps
    const upload = newUpload(
      {
        id: newUploadId(),
        workspaceId: request.workspaceId,
        key,
        blobName: blobNameFor(request.workspaceId, key, clock),
        size: request.size,
        contentType: contentTypeFor(nameOf(key), request.contentType),
        description: request.description ?? null,
        sha256: request.sha256?.toLowerCase() ?? null,
        overwrite,
        issuedBy: principal.keyId,
      },
      clock,
      policy,
    )
    const audit = auditContext(principal, clock)
    if (request.multipart || request.size >= policy.multipartThreshold) {
      const session = await this.#deps.multipart.start(upload, request.partSizeHint, audit)
      return { upload: session, put: null }
    }
    await this.#deps.metadata.createUpload(upload, { audit })
    const signed = await this.#deps.urls.upload({
      uploadId: upload.id,
      // Direct PUTs (S3) land beside the blob; confirm adopts them (see #received).
      blobName: stagedNameFor(upload.blobName),
      size: upload.size,
      contentType: upload.contentType,
      expiresIn: request.expiresIn,
    })
    return { upload, put: signed }
  }

  /**
   * Receives the bytes of a local-backend PUT whose signature was checked (the grant says so):
   * exactly the declared size, once. A failed or interrupted PUT can be retried with the same URL.
   */
  async receive(
    grant: UploadGrant,
    body: Readable,
    contentType: string | undefined,
  ): Promise<void> {
    const { uploadId } = grant
    const upload = isUploadId(uploadId) ? await this.#deps.metadata.getUpload(uploadId) : undefined
    const verdict = upload ? putVerdict(upload, this.#deps.clock) : 'gone'
    if (!upload || verdict === 'gone') throw uploadNotFound(uploadId)
    if (verdict === 'already_received') {
      throw new AppError(
        'upload_already_received',
        'The bytes of this upload were already received; confirm it.',
      )
    }
    await assertUploadGranted(this.#deps.metadata, upload)
    if ((contentType ?? '') !== upload.contentType) {
      throw new AppError(
        'invalid_signature',
        `The PUT must send 'Content-Type: ${upload.contentType}', as listed in the upload's headers.`,
      )
    }
    crashPoint('receive.start')
    const stored = await this.#deps.blobs.put(upload.blobName, body, {
      exactSize: upload.size,
      tooLargeMessage: `This upload was declared as ${upload.size} bytes; send exactly that many.`,
    })
    crashPoint('receive.stored')
    await this.#deps.metadata.markUploadReceived(upload.id, stored.sha256)
  }

  /**
   * Checks the bytes and commits the upload. Confirming again answers the same file; the full
   * record only to a key that may read files, else just its `id` and `key` (a write-only key
   * learns nothing it did not send).
   */
  async confirm(
    principal: Principal,
    request: ConfirmRequest,
  ): Promise<FileRecord | FileReference | Verifying> {
    await this.#authorize(principal, request.workspaceId)
    const upload = await this.#findUpload(request)
    if (request.size !== upload.size) {
      throw new AppError(
        'size_mismatch',
        `The upload was declared as ${upload.size} bytes, not ${request.size}.`,
      )
    }
    if (upload.status === 'completed') {
      const file = await this.#alreadyConfirmed(upload)
      return hasPermission(principal, 'files:read') ? file : { id: file.id, key: file.key }
    }
    if (upload.status === 'verifying') return { verifyingUploadId: upload.id }
    const declared = (request.sha256 ?? upload.sha256)?.toLowerCase() ?? null
    if (this.#verifiesInBackground(upload)) return this.#startVerifying(upload, declared)
    return this.#finish(upload, declared, { audit: auditContext(principal, this.#deps.clock) })
  }

  /**
   * The background half of a confirm answered 202 (upload-verifier.ts calls it): reads the bytes
   * back, checks them and commits the file. A failure that another attempt would not fix fails
   * the upload with its code; others (the store or the database down) are thrown to be retried.
   */
  async verify(upload: Upload, onProgress: (bytes: number) => void): Promise<void> {
    // The server itself acts: the key that confirmed is not kept with the upload.
    const audit = auditContext(null, this.#deps.clock)
    try {
      await this.#finish(upload, upload.sha256, { audit, onProgress })
    } catch (error) {
      if (!isAppError(error) || RETRIED.has(error.code)) throw error
      // Rejections by #finish have failed it already; anything else (say, file_exists) fails now.
      if ((await this.#deps.metadata.getUpload(upload.id))?.status === 'verifying')
        await this.#reject(upload, error, audit)
      // A multipart session's parts are joined already: its blob is the bytes to drop.
      if (upload.multipart) await this.#deps.blobs.delete(upload.blobName)
    }
  }

  /** Large, and its bytes must be read back to be hashed (not hashed on arrival). */
  #verifiesInBackground(upload: Upload): boolean {
    if (upload.size < this.#deps.policy.backgroundVerifyBytes) return false
    return !(upload.status === 'received' && upload.receivedSha256)
  }

  /**
   * What is quick is done now, so its errors reach this request: a session's parts are joined
   * (a missing part is answered here); a single PUT's bytes must have arrived.
   */
  async #startVerifying(upload: Upload, declared: string | null): Promise<Verifying> {
    const { blobs, metadata } = this.#deps
    const joined = await blobs.stat(upload.blobName)
    if (upload.multipart && !joined) await this.#deps.multipart.complete(upload)
    if (!upload.multipart && !joined && !(await blobs.stat(stagedNameFor(upload.blobName)))) {
      throw notReceived()
    }
    await metadata.markUploadVerifying(upload.id, declared)
    crashPoint('confirm.verifying')
    this.#deps.onVerifying?.()
    return { verifyingUploadId: upload.id }
  }

  async #finish(upload: Upload, declared: string | null, how: Finishing): Promise<FileRecord> {
    const received = await this.#received(upload, how)
    crashPoint('confirm.verified')
    if (declared && declared !== received.sha256) {
      throw await this.#reject(
        upload,
        new AppError(
          'checksum_mismatch',
          `The bytes' SHA-256 is ${received.sha256}, not ${declared}; upload again.`,
        ),
        how.audit,
      )
    }
    const now = isoNow(this.#deps.clock)
    const file: FileRecord = {
      id: newFileId(),
      workspaceId: upload.workspaceId,
      key: upload.key,
      name: nameOf(upload.key),
      size: received.size,
      contentType: upload.contentType,
      description: upload.description,
      sha256: received.sha256,
      blobName: upload.blobName,
      createdAt: now,
      updatedAt: now,
    }
    return this.#deps.files.commit(file, {
      overwrite: upload.overwrite,
      completeUploadId: upload.id,
      audit: how.audit,
    })
  }

  async #findUpload(request: ConfirmRequest): Promise<Upload> {
    const key = validateKey(request.fileKey)
    const { uploadId: id, workspaceId } = request
    if (id) {
      const upload = isUploadId(id) ? await this.#deps.metadata.getUpload(id) : undefined
      const matches = upload?.workspaceId === workspaceId && upload.key === key
      if (!upload || !matches) throw uploadNotFound(id)
      // Failed in the background: the client polling the confirm learns why.
      if (upload.status === 'failed' && upload.failure)
        throw new AppError(upload.failure.code, upload.failure.message)
      if (upload.status === 'failed') throw uploadNotFound(id)
      const settled = upload.status === 'completed' || upload.status === 'verifying'
      if (!settled && isExpired(upload, this.#deps.clock)) throw uploadNotFound(id)
      return upload
    }
    const open = (await this.#deps.metadata.listOpenUploads(workspaceId, key)).filter(
      (upload) => upload.status === 'verifying' || !isExpired(upload, this.#deps.clock),
    )
    if (open.length > 1) {
      throw new AppError(
        'upload_ambiguous',
        `${open.length} uploads of '${key}' are pending; send upload_id to say which.`,
        {
          details: { upload_ids: open.map((upload) => upload.id) },
        },
      )
    }
    const [upload] = open
    if (upload) return upload
    // Confirming again after success answers the same file.
    const file = await this.#deps.metadata.getFile(workspaceId, key)
    const done = file && (await this.#deps.metadata.getUploadByBlob(file.blobName))
    if (done) return done
    throw new AppError(
      'upload_not_found',
      `No pending upload of '${key}'; start one with POST /v1/files/upload-url.`,
    )
  }

  async #alreadyConfirmed(upload: Upload): Promise<FileRecord> {
    const file = await this.#deps.metadata.getFile(upload.workspaceId, upload.key)
    if (file?.blobName === upload.blobName) return file
    throw new AppError(
      'upload_superseded',
      `A later write replaced '${upload.key}'; list it to see the current version.`,
    )
  }

  /**
   * Bytes PUT to Granary were hashed on arrival; bytes PUT straight to the store are adopted from
   * their staged object now (hashed, copied, the staged object deleted, so the upload URL can no
   * longer change them); a multipart session's parts are joined first. Each step may have been
   * done already by a confirm that failed later.
   */
  async #received(upload: Upload, how: Finishing): Promise<{ size: number; sha256: string }> {
    if (upload.status === 'received' && upload.receivedSha256) {
      return { size: upload.size, sha256: upload.receivedSha256 }
    }
    const adopted = upload.multipart ? undefined : await this.#adopt(upload, how)
    if (adopted) return { size: adopted.size, sha256: adopted.sha256 ?? '' }
    const stat = await this.#deps.blobs.stat(upload.blobName)
    if (upload.multipart && !stat) {
      const joined = await this.#deps.multipart.complete(upload)
      return {
        size: joined.size,
        sha256: joined.sha256 ?? (await this.#hash(upload.blobName, how.onProgress)),
      }
    }
    if (!stat) throw notReceived()
    if (stat.size !== upload.size) {
      throw await this.#reject(
        upload,
        new AppError(
          'size_mismatch',
          `${stat.size} bytes arrived, not the ${upload.size} declared; upload again.`,
        ),
        how.audit,
      )
    }
    return {
      size: stat.size,
      sha256: stat.sha256 ?? (await this.#hash(upload.blobName, how.onProgress)),
    }
  }

  async #adopt(upload: Upload, how: Finishing) {
    try {
      return await this.#deps.blobs.adopt(stagedNameFor(upload.blobName), upload.blobName, {
        exactSize: upload.size,
        ...(how.onProgress ? { onProgress: how.onProgress } : {}),
      })
    } catch (error) {
      if (isAppError(error, 'size_mismatch')) throw await this.#reject(upload, error, how.audit)
      throw error
    }
  }

  #hash(blobName: string, onProgress?: (bytes: number) => void): Promise<string> {
    return this.#deps.blobs.read(blobName).then((body) => sha256OfStream(body, onProgress))
  }

  /**
   * Fails the upload and drops its bytes; answers the error to throw. Failed while verifying, the
   * error is recorded before the status moves, so a client polling the upload sees both at once.
   */
  async #reject(upload: Upload, error: AppError, audit: AuditContext): Promise<AppError> {
    const { metadata } = this.#deps
    if (upload.status === 'verifying') {
      await metadata.failVerification(upload.id, { code: error.code, message: error.message })
    }
    await metadata.markUploadFailed(upload.id, { audit })
    await discardBytes(this.#deps.blobs, upload)
    return error
  }

  async #authorize(principal: Principal, workspaceId: string): Promise<void> {
    requirePermission(principal, 'files:write')
    await requireWorkspace(this.#deps.metadata, principal, workspaceId)
  }
}

function notReceived(): AppError {
  return new AppError(
    'upload_not_received',
    'The bytes have not arrived; PUT them to the uploadUrl first.',
  )
}

/** Failures of a background verification that a later attempt may not meet. */
const RETRIED: ReadonlySet<ErrorCode> = new Set([
  'storage_unavailable',
  'database_unavailable',
  'internal_error',
])

function uploadNotFound(uploadId: string): AppError {
  return new AppError(
    'upload_not_found',
    `No upload '${uploadId}'; start one with POST /v1/files/upload-url.`,
  )
}
