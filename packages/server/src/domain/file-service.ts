import type { Readable } from 'node:stream'
import { crashPoint } from '../crash-points.ts'
import { type Audited, auditContext, facts, fileFacts } from './audit.ts'
import { recordingDenials } from './audit-service.ts'
import { type Principal, requirePermission, requireWorkspace } from './auth.ts'
import type { BlobDeletions } from './blob-deletions.ts'
import { type Clock, isoNow } from './clock.ts'
import { contentTypeFor } from './content-types.ts'
import { AppError } from './errors.ts'
import { FileRemoval, type Removal } from './file-removal.ts'
import { deleteFolder } from './folder-delete.ts'
import { newFileId, versionId } from './ids.ts'
import { keyFor, nameOf, validateKey, validatePrefix } from './keys.ts'
import { grantFor } from './link-grants.ts'
import { findIndexFile } from './links/index-siblings.ts'
import type { LinkService } from './links/link-service.ts'
import { type FilePage, listFiles } from './listing.ts'
import type { BlobStore, FileRecord, MetadataStore, SignedUrl, TransferUrls } from './ports.ts'
import { assertRoomFor } from './quota.ts'
import { servingFor } from './serving-policy.ts'

export interface FileServiceDeps {
  metadata: MetadataStore
  blobs: BlobStore
  urls: TransferUrls
  /** Deletes a deleted file's bytes now, or keeps retrying them. */
  deletions: BlobDeletions
  /** Told about work that failed after the answer was decided (e.g. deleting a replaced blob). */
  onBackgroundError: (error: unknown, context: string) => void
  clock: Clock
  /** Granary links (domain/links/link-service.ts). */
  links?: LinkService
}

export interface DownloadRequest {
  workspaceId: string
  key: string
  expiresIn: number
  disposition: 'attachment' | 'inline'
  /** 'granary': a Granary link; 'direct': the backend's own URL; unset: the server's default. */
  link?: 'granary' | 'direct' | undefined
  /** Also sign the file's index (x.bam.bai, x.vcf.gz.tbi, ...) when it has one. */
  withIndex?: boolean | undefined
  /** An older version of the file (GET /v1/files/versions) instead of the current content. */
  versionId?: string | undefined
}

export interface DownloadUrls extends SignedUrl {
  index?: SignedUrl & { key: string }
}

export interface FormUpload {
  workspaceId: string
  path?: string
  filename: string
  description?: string
  contentType?: string
  overwrite: boolean
  body: Readable
  maxBytes: number
  /** What the request declares it carries (Content-Length less the form's own overhead). */
  declaredBytes?: number
  /**
   * Settles when the rest of the request is read (a form's trailing parts). The commit waits for
   * it; a rejection discards the stored bytes and is the upload's answer.
   */
  complete?: Promise<void>
}

/** Blob names keep the human path readable: `<workspace>/<version>/<key>`. */
export function blobNameFor(workspaceId: string, key: string, clock: Clock): string {
  return `${workspaceId}/${versionId(clock.now())}/${key}`
}

/** What each Files call does, independent of HTTP and of the adapters behind the ports. */
export class FileService {
  readonly #deps: FileServiceDeps
  /** Trash or delete, as the workspace's settings say (file-removal.ts). */
  readonly removal: FileRemoval

  constructor(deps: FileServiceDeps) {
    this.#deps = deps
    this.removal = new FileRemoval(deps.metadata, deps.deletions, deps.clock)
  }

  async list(
    principal: Principal,
    query: {
      workspaceId: string
      prefix?: string
      limit: number
      cursor?: string
      delimiter?: '/'
    },
  ): Promise<FilePage> {
    await this.#authorize(principal, 'files:read', query.workspaceId)
    const prefix = validatePrefix(query.prefix ?? '')
    return listFiles(this.#deps.metadata, { ...query, prefix })
  }

  /** Streams a form upload into a new blob, then makes it the key's current version atomically. */
  async upload(principal: Principal, upload: FormUpload): Promise<FileRecord> {
    await this.#authorize(principal, 'files:write', upload.workspaceId)
    const key = keyFor(upload.path, upload.filename)
    if (!upload.overwrite) await this.#requireAbsent(upload.workspaceId, key)
    await assertRoomFor(this.#deps.metadata, upload.workspaceId, {
      files: 1,
      bytes: upload.declaredBytes ?? 0,
    })
    const blobName = blobNameFor(upload.workspaceId, key, this.#deps.clock)
    const stored = await this.#deps.blobs.put(blobName, upload.body, {
      maxSize: upload.maxBytes,
      tooLargeMessage: formUploadLimitMessage(upload.maxBytes),
    })
    if (upload.complete) await this.#discardOnFailure(blobName, upload.complete)
    const now = isoNow(this.#deps.clock)
    const file: FileRecord = {
      id: newFileId(),
      workspaceId: upload.workspaceId,
      key,
      name: nameOf(key),
      size: stored.size,
      contentType: contentTypeFor(nameOf(key), upload.contentType),
      description: upload.description ?? null,
      sha256: stored.sha256 ?? '',
      blobName,
      createdAt: now,
      updatedAt: now,
    }
    return this.commit(file, {
      overwrite: upload.overwrite,
      audit: auditContext(principal, this.#deps.clock),
    })
  }

  /**
   * Switches the key to `file` and deletes the replaced blob after the commit. If the commit
   * fails, the new blob is garbage and goes too: nothing is listed without its bytes.
   */
  async commit(
    file: FileRecord,
    options: { overwrite: boolean; completeUploadId?: string } & Audited,
  ): Promise<FileRecord> {
    let result: Awaited<ReturnType<MetadataStore['putFile']>>
    try {
      crashPoint('commit.before')
      result = await this.#deps.metadata.putFile(file, options)
      crashPoint('commit.done')
    } catch (error) {
      await this.#deleteQuietly(file.blobName)
      throw error
    }
    // The replaced content is kept as a version; only what pruning released is deleted.
    if (result.freedBlobNames.length > 0) crashPoint('version.pruned')
    await this.removal.freeNow(result.freedBlobNames)
    return result.file
  }

  /**
   * A download URL for the file: a Granary link (domain/links) or the backend's own URL, as asked
   * (`link`) or by the server's default; with `withIndex`, its index's too when it has one.
   */
  async downloadUrl(principal: Principal, request: DownloadRequest): Promise<DownloadUrls> {
    const file = await this.get(principal, 'files:read', request.workspaceId, request.key)
    const { versionId } = request
    if (versionId !== undefined)
      return this.#signVersion(principal, file, { ...request, versionId })
    const signed = await this.#signDownload(principal, file, request)
    const index = request.withIndex ? await findIndexFile(this.#deps.metadata, file) : undefined
    if (!index) return signed
    return {
      ...signed,
      index: { key: index.key, ...(await this.#signDownload(principal, index, request)) },
    }
  }

  async #signDownload(
    principal: Principal,
    file: FileRecord,
    request: DownloadRequest,
  ): Promise<SignedUrl> {
    // Active content never inline, text in UTF-8 (serving-policy.ts): signed into the URL, so
    // both Granary's endpoint and S3's response overrides serve it this way.
    const serving = servingFor(file.contentType, request.disposition)
    const { links } = this.#deps
    // What the link is granted under: revoking the key or the file's links withdraws it.
    const grant = await grantFor(this.#deps.metadata, principal.keyId, file.id)
    const signed =
      links && (request.link ? request.link === 'granary' : links.byDefault)
        ? links.issue(file, {
            expiresIn: request.expiresIn,
            disposition: serving.disposition,
            issuedBy: grant.issuedBy,
            generation: grant.generation,
          })
        : await this.#deps.urls.download({
            blobName: file.blobName,
            filename: file.name,
            contentType: serving.contentType,
            disposition: serving.disposition,
            expiresIn: request.expiresIn,
            grant,
          })
    // Recorded once signed: the event holds what was linked, never the URL or its signature.
    const context = auditContext(principal, this.#deps.clock)
    await this.#deps.metadata.appendEvents(context, [fileFacts('link.issue', file)])
    return signed
  }

  /**
   * An older version: always the backend's own URL (a Granary link names the file's current
   * content); the local endpoint serves it while the file and that version exist.
   */
  async #signVersion(
    principal: Principal,
    file: FileRecord,
    request: DownloadRequest & { versionId: string },
  ): Promise<SignedUrl> {
    const version = await this.#deps.metadata.getVersion(
      file.workspaceId,
      file.key,
      request.versionId,
    )
    if (!version) throw versionNotFound(file.key, request.versionId)
    const serving = servingFor(version.contentType, request.disposition)
    const signed = await this.#deps.urls.download({
      blobName: version.blobName,
      filename: file.name,
      contentType: serving.contentType,
      disposition: serving.disposition,
      expiresIn: request.expiresIn,
      grant: await grantFor(this.#deps.metadata, principal.keyId, file.id),
    })
    const context = auditContext(principal, this.#deps.clock)
    const linked = { ...file, blobName: version.blobName, size: version.size }
    await this.#deps.metadata.appendEvents(context, [fileFacts('link.issue', linked)])
    return signed
  }

  /**
   * Moves the file with its versions to the trash (trash_days > 0), or removes the metadata and
   * queues the bytes' deletion in one transaction, then deletes them: nothing listed ever lacks
   * its bytes, and bytes that cannot be deleted now (S3 down, a read-only disk) are retried
   * within seconds. Either way its links answer 404 at once (the local endpoint serves only
   * blobs of live files).
   */
  async delete(principal: Principal, workspaceId: string, key: string): Promise<void> {
    const attempt = facts('file.delete', { workspaceId, key })
    await recordingDenials(this.#deps.metadata, this.#deps.clock, principal, attempt, () =>
      this.#authorize(principal, 'files:delete', workspaceId),
    )
    const audit = auditContext(principal, this.#deps.clock)
    const settings = await this.#deps.metadata.getWorkspaceSettings(workspaceId)
    if (settings && settings.trashDays > 0) {
      const { removed } = await this.removal.remove(workspaceId, [validateKey(key)], audit)
      if (removed === 0) throw fileNotFound(workspaceId, key)
      return
    }
    const removed = await this.#deps.metadata.deleteFile(workspaceId, validateKey(key), { audit })
    if (!removed) throw fileNotFound(workspaceId, key)
    crashPoint('delete.queued')
    await this.removal.freeNow(removed.freedBlobNames)
  }

  /** DELETE /v1/files?prefix=...&recursive=true: the whole folder at once (folder-delete.ts). */
  async deleteFolder(principal: Principal, workspaceId: string, prefix: string): Promise<Removal> {
    const attempt = facts('file.delete', { workspaceId, key: prefix })
    await recordingDenials(this.#deps.metadata, this.#deps.clock, principal, attempt, () =>
      this.#authorize(principal, 'files:delete', workspaceId),
    )
    const audit = auditContext(principal, this.#deps.clock)
    return deleteFolder(this.#deps.metadata, this.removal, { workspaceId, prefix, audit })
  }

  async get(
    principal: Principal,
    permission: 'files:read' | 'files:write',
    workspaceId: string,
    key: string,
  ): Promise<FileRecord> {
    await this.#authorize(principal, permission, workspaceId)
    const file = await this.#deps.metadata.getFile(workspaceId, validateKey(key))
    if (!file) throw fileNotFound(workspaceId, key)
    return file
  }

  async #authorize(
    principal: Principal,
    permission: 'files:read' | 'files:write' | 'files:delete',
    workspaceId: string,
  ) {
    requirePermission(principal, permission)
    await requireWorkspace(this.#deps.metadata, principal, workspaceId)
  }

  async #requireAbsent(workspaceId: string, key: string): Promise<void> {
    if (await this.#deps.metadata.getFile(workspaceId, key)) throw fileExists(key)
  }

  async #discardOnFailure(blobName: string, complete: Promise<void>): Promise<void> {
    try {
      await complete
    } catch (error) {
      await this.#deleteQuietly(blobName)
      throw error
    }
  }

  /**
   * Deletes bytes nothing refers to any more. The answer waits for it, but a failure only leaves
   * garbage (logged), never damage, so it does not fail the call.
   */
  async #deleteQuietly(blobName: string): Promise<void> {
    await this.#deps.blobs
      .delete(blobName)
      .catch((error) => this.#deps.onBackgroundError(error, `deleting blob ${blobName}`))
  }
}

export function formUploadLimitMessage(maxBytes: number): string {
  return `The form upload is limited to ${maxBytes} bytes; use the large-file flow (POST /v1/files/upload-url, PUT the bytes, then POST /v1/files/upload-confirm) for bigger files.`
}

export function fileNotFound(workspaceId: string, key: string): AppError {
  return new AppError('file_not_found', `No file '${key}' in workspace '${workspaceId}'.`)
}

export function fileExists(key: string): AppError {
  return new AppError(
    'file_exists',
    `A file '${key}' already exists; send overwrite=true to replace it.`,
  )
}

export function versionNotFound(key: string, versionId: string): AppError {
  return new AppError(
    'version_not_found',
    `No version '${versionId}' of '${key}'; list them with GET /v1/files/versions.`,
  )
}
