/**
 * The wire boundary: domain values (camelCase) become the snake_case shapes of
 * packages/protocol here, and validated request bodies become domain requests. Nowhere else.
 */
import type {
  ApiKeyInfo,
  CreatedApiKey,
  createKeyBody,
  DownloadUrlResponse,
  FileInfo,
  FolderCopied,
  FolderMoved,
  GcReport,
  JobInfo,
  JobStarted,
  ListFilesResponse,
  MeResponse,
  MultipartUploadResponse,
  moveBody,
  ScrubRun,
  SignedPartUrl,
  StorageStatus,
  signedPartResponse,
  TrashItem,
  TrashListResponse,
  UploadPart,
  UploadSession,
  UploadUrlResponse,
  uploadConfirmBody,
  uploadUrlBody,
  Validated,
  VersionsResponse,
  Wire,
  Workspace,
  WorkspaceDetail as WorkspaceDetailWire,
  WorkspaceUsageResponse,
  workspaceSettingsBody,
} from '@granary/protocol'
import type { IssuedKey, Me, NewKey } from '../domain/admin-service.ts'
import type { DownloadUrls } from '../domain/file-service.ts'
import type {
  ConfirmRequest,
  StartedUpload,
  UploadRequest,
} from '../domain/large-upload-service.ts'
import type {
  TrashRecord,
  VersionRecord,
  WorkspaceSettings,
  WorkspaceUsage,
} from '../domain/lifecycle-ports.ts'
import type { FilePage } from '../domain/listing.ts'
import type { JobRecord } from '../domain/move-ports.ts'
import type { MoveCall, MoveOutcome } from '../domain/move-service.ts'
import type { SignedPart } from '../domain/multipart-service.ts'
import type {
  FileRecord,
  KeyInfo,
  StorageInspection,
  StoredPart,
  Upload,
  WorkspaceRecord,
} from '../domain/ports.ts'
import type { ScrubRun as DomainScrubRun } from '../domain/scrub.ts'
import type { TrashPage } from '../domain/trash-service.ts'
import type { ReapReport } from '../domain/upload-reaper.ts'
import type { WorkspaceDetail } from '../domain/workspace-settings-service.ts'

/** Field by field, not rest/spread: on a list page of 100 files the spread was a hot spot. */
export function toFileInfo(file: FileRecord): FileInfo {
  return {
    id: file.id,
    workspace_id: file.workspaceId,
    key: file.key,
    name: file.name,
    size: file.size,
    content_type: file.contentType,
    description: file.description,
    sha256: file.sha256,
    created_at: file.createdAt,
    updated_at: file.updatedAt,
  }
}

export function toFilePage(page: FilePage): ListFilesResponse {
  return {
    files: page.files.map(toFileInfo),
    ...(page.folders ? { folders: page.folders } : {}),
    next_cursor: page.nextCursor,
  }
}

export function toDownloadUrl(signed: DownloadUrls): DownloadUrlResponse {
  const answer = { url: signed.url, expires_at: signed.expiresAt.toISOString() }
  const { index } = signed
  return index ? { ...answer, index_url: index.url, index_key: index.key } : answer
}

/** What a part PUT to Granary answers (local backend). */
export function toReceivedPart(part: StoredPart): Wire<typeof signedPartResponse> {
  return { part_number: part.partNumber, size: part.size, sha256: part.sha256 }
}

export function toStorageStatus(state: StorageInspection): StorageStatus {
  const { corsOrigins, ...rest } = state
  return { ...rest, cors_origins: corsOrigins }
}

export function toGcReport(report: ReapReport, deletedBlobs: number): GcReport {
  return {
    expired_uploads: report.expiredUploads,
    orphan_blobs: report.orphanBlobs,
    reclaimed_bytes: report.reclaimedBytes,
    deleted_blobs: deletedBlobs,
  }
}

export function fromUploadUrlBody(body: Validated<typeof uploadUrlBody>): UploadRequest {
  return {
    workspaceId: body.workspace_id,
    filename: body.filename,
    path: body.path,
    size: body.size,
    contentType: body.content_type,
    description: body.description,
    sha256: body.sha256,
    overwrite: body.overwrite,
    expiresIn: body.expires_in,
    multipart: body.multipart,
    partSizeHint: body.part_size,
  }
}

export function fromConfirmBody(body: Validated<typeof uploadConfirmBody>): ConfirmRequest {
  return {
    workspaceId: body.workspace_id,
    fileKey: body.file_key,
    size: body.size,
    uploadId: body.upload_id,
    sha256: body.sha256,
  }
}

/** The seed's camelCase answer: one PUT URL, or a multipart session. */
export function toUploadUrlAnswer(
  started: StartedUpload,
): UploadUrlResponse | MultipartUploadResponse {
  const { upload, put } = started
  if (put === null) {
    return {
      uploadId: upload.id,
      fileKey: upload.key,
      multipart: true,
      method: 'PUT',
      partSize: started.upload.multipart?.partSize ?? 0,
      partCount: started.upload.multipart?.partCount ?? 0,
      expiresAt: upload.expiresAt,
      headers: {},
    }
  }
  return {
    uploadUrl: put.url,
    fileKey: upload.key,
    uploadId: upload.id,
    expiresAt: put.expiresAt.toISOString(),
    method: 'PUT',
    multipart: false,
    headers: put.headers,
  }
}

export function toUploadSession(upload: Upload, parts?: readonly StoredPart[]): UploadSession {
  return {
    upload_id: upload.id,
    file_key: upload.key,
    workspace_id: upload.workspaceId,
    status: upload.status,
    ...(upload.status === 'verifying' ? { verified_bytes: upload.verifiedBytes ?? 0 } : {}),
    ...(upload.status === 'failed' && upload.failure ? { error: { ...upload.failure } } : {}),
    multipart: upload.multipart !== null,
    size: upload.size,
    part_size: upload.multipart?.partSize ?? null,
    part_count: upload.multipart?.partCount ?? null,
    created_at: upload.createdAt,
    expires_at: upload.expiresAt,
    ...(parts ? { parts: parts.map(toUploadPart) } : {}),
  }
}

export function toUploadPart(part: StoredPart): UploadPart {
  return { part_number: part.partNumber, size: part.size, sha256: part.sha256, etag: part.etag }
}

export function toSignedPartUrl(part: SignedPart): SignedPartUrl {
  return {
    part_number: part.partNumber,
    size: part.size,
    url: part.url,
    headers: part.headers,
    expires_at: part.expiresAt.toISOString(),
  }
}

export function toWorkspace(workspace: WorkspaceRecord): Workspace {
  return { id: workspace.id, name: workspace.name, created_at: workspace.createdAt }
}

export function fromCreateKeyBody(body: Validated<typeof createKeyBody>): NewKey {
  return {
    name: body.name,
    scopes: body.scopes,
    workspaceIds: body.workspace_ids,
    expiresAt: body.expires_at,
  }
}

export function toApiKeyInfo(key: KeyInfo): ApiKeyInfo {
  return {
    id: key.id,
    name: key.name,
    scopes: key.scopes,
    workspace_ids: key.workspaceIds,
    created_at: key.createdAt,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
  }
}

export function toCreatedApiKey(issued: IssuedKey): CreatedApiKey {
  return { ...toApiKeyInfo(issued.key), secret: issued.secret }
}

export function toMe(me: Me): MeResponse {
  const { principal } = me
  return {
    key: {
      id: principal.keyId,
      name: principal.keyName,
      scopes: [...principal.scopes],
      expires_at: principal.expiresAt,
      created_at: principal.createdAt,
    },
    workspaces: me.workspaces.map(({ id, name }) => ({ id, name })),
  }
}

export function toScrubRun(run: DomainScrubRun): ScrubRun {
  return {
    id: run.id,
    status: run.status,
    started_at: run.startedAt,
    finished_at: run.finishedAt,
    sample_percent: run.samplePercent,
    max_bytes_per_second: run.maxBytesPerSecond,
    checked_files: run.checkedFiles,
    checked_bytes: run.checkedBytes,
    skipped_files: run.skippedFiles,
    findings: run.findings.map((finding) => ({
      workspace_id: finding.workspaceId,
      key: finding.key,
      blob_name: finding.blobName,
      problem: finding.problem,
      expected_sha256: finding.expectedSha256,
      actual_sha256: finding.actualSha256,
    })),
    error: run.error,
  }
}

/** A move or copy: the file, how many files a folder held, or the job that runs it (202). */
export function toMoveAnswer(
  outcome: MoveOutcome,
  verb: 'moved' | 'copied',
): { status: 200 | 202; body: FileInfo | FolderMoved | FolderCopied | JobStarted } {
  if (outcome.kind === 'job') return { status: 202, body: { job_id: outcome.job.id } }
  if (outcome.kind === 'file') return { status: 200, body: toFileInfo(outcome.file) }
  const body = verb === 'moved' ? { moved: outcome.count } : { copied: outcome.count }
  return { status: 200, body }
}

export function toJobInfo(job: JobRecord): JobInfo {
  return {
    job_id: job.id,
    workspace_id: job.workspaceId,
    kind: job.kind,
    from: job.from,
    to: job.to,
    overwrite: job.overwrite,
    status: job.status,
    done: job.done,
    total: job.total,
    error: job.error,
    created_at: job.createdAt,
    updated_at: job.updatedAt,
  }
}

export function fromMoveBody(body: Validated<typeof moveBody>): MoveCall {
  return {
    workspaceId: body.workspace_id,
    from: body.from,
    to: body.to,
    overwrite: body.overwrite,
  }
}

// Issue 14: workspace settings and usage, versions, the trash.

export function toWorkspaceDetail(workspace: WorkspaceDetail): WorkspaceDetailWire {
  return {
    id: workspace.id,
    name: workspace.name,
    created_at: workspace.createdAt,
    trash_days: workspace.trashDays,
    keep_versions: workspace.keepVersions,
    quota_bytes: workspace.quotaBytes,
    quota_files: workspace.quotaFiles,
  }
}

export function fromWorkspaceSettingsBody(
  body: Validated<typeof workspaceSettingsBody>,
): Partial<WorkspaceSettings> {
  return {
    ...(body.trash_days === undefined ? {} : { trashDays: body.trash_days }),
    ...(body.keep_versions === undefined ? {} : { keepVersions: body.keep_versions }),
    ...(body.quota_bytes === undefined ? {} : { quotaBytes: body.quota_bytes }),
    ...(body.quota_files === undefined ? {} : { quotaFiles: body.quota_files }),
  }
}

export function toWorkspaceUsage(usage: WorkspaceUsage): WorkspaceUsageResponse {
  return {
    files: usage.files,
    bytes: usage.bytes,
    version_bytes: usage.versionBytes,
    trash_bytes: usage.trashBytes,
    versions: usage.versions,
    trash_files: usage.trashFiles,
  }
}

export function toVersions(versions: readonly VersionRecord[]): VersionsResponse {
  return {
    versions: versions.map((v) => ({
      version_id: v.versionId,
      size: v.size,
      sha256: v.sha256,
      content_type: v.contentType,
      created_at: v.createdAt,
      is_current: v.isCurrent,
    })),
  }
}

export function toTrashItem(item: TrashRecord): TrashItem {
  return {
    trash_id: item.trashId,
    group_id: item.groupId,
    file_id: item.file.id,
    key: item.file.key,
    name: item.file.name,
    size: item.file.size,
    content_type: item.file.contentType,
    sha256: item.file.sha256,
    updated_at: item.file.updatedAt,
    deleted_at: item.deletedAt,
    purge_at: item.purgeAt,
  }
}

export function toTrashPage(page: TrashPage): TrashListResponse {
  return { files: page.items.map(toTrashItem), next_cursor: page.nextCursor }
}
