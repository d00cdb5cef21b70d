/** Mapping between table rows and the domain's records. */
import type { ErrorCode, Scope } from '@granary/protocol'
import type { Insertable, Selectable } from 'kysely'
import type {
  FileRecord,
  KeyRecord,
  Upload,
  UploadStatus,
  WorkspaceRecord,
} from '../domain/ports.ts'
import type { ApiKeysTable, FilesTable, UploadsTable, WorkspacesTable } from './schema.ts'

export function fileRow(file: FileRecord): Required<FilesTable> {
  return {
    workspace_id: file.workspaceId,
    key: file.key,
    id: file.id,
    size: file.size,
    content_type: file.contentType,
    description: file.description,
    sha256: file.sha256,
    blob_name: file.blobName,
    created_at: file.createdAt,
    updated_at: file.updatedAt,
    version_id: file.versionId ?? null,
  }
}

export function fileRecord(row: Selectable<FilesTable>): FileRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    key: row.key,
    name: row.key.slice(row.key.lastIndexOf('/') + 1),
    // PostgreSQL answers bigint as a string; sizes stay below 2^53.
    size: Number(row.size),
    contentType: row.content_type,
    description: row.description,
    sha256: row.sha256,
    blobName: row.blob_name,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    // Files written before versions existed: the file id names their one version.
    versionId: row.version_id ?? row.id,
  }
}

export function keyRow(key: KeyRecord): ApiKeysTable {
  return {
    id: key.id,
    name: key.name,
    secret_hash: key.secretHash,
    scopes: JSON.stringify(key.scopes),
    workspace_ids: key.workspaceIds === null ? null : JSON.stringify(key.workspaceIds),
    created_at: key.createdAt,
    expires_at: key.expiresAt,
    revoked_at: key.revokedAt,
  }
}

export function keyRecord(row: Selectable<ApiKeysTable>): KeyRecord {
  return {
    id: row.id,
    name: row.name,
    scopes: JSON.parse(row.scopes) as Scope[],
    workspaceIds: row.workspace_ids === null ? null : (JSON.parse(row.workspace_ids) as string[]),
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    secretHash: row.secret_hash,
  }
}

export function uploadRow(upload: Upload): UploadsTable {
  return {
    id: upload.id,
    workspace_id: upload.workspaceId,
    key: upload.key,
    blob_name: upload.blobName,
    size: upload.size,
    content_type: upload.contentType,
    description: upload.description,
    sha256: upload.sha256,
    overwrite: upload.overwrite ? 1 : 0,
    status: upload.status,
    received_sha256: upload.receivedSha256,
    created_at: upload.createdAt,
    expires_at: upload.expiresAt,
    store_upload_id: upload.multipart?.storeUploadId ?? null,
    part_size: upload.multipart?.partSize ?? null,
    part_count: upload.multipart?.partCount ?? null,
    deadline_at: upload.multipart?.deadlineAt ?? null,
    verified_bytes: upload.verifiedBytes ?? null,
    verify_claimed_until: null,
    failure_code: upload.failure?.code ?? null,
    failure_message: upload.failure?.message ?? null,
    issued_by: upload.issuedBy ?? null,
  }
}

export function uploadRecord(row: Selectable<UploadsTable>): Upload {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    key: row.key,
    blobName: row.blob_name,
    size: Number(row.size),
    contentType: row.content_type,
    description: row.description,
    sha256: row.sha256,
    overwrite: Number(row.overwrite) === 1,
    status: row.status as UploadStatus,
    receivedSha256: row.received_sha256,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    multipart:
      row.store_upload_id === null
        ? null
        : {
            storeUploadId: row.store_upload_id,
            partSize: Number(row.part_size),
            partCount: Number(row.part_count),
            deadlineAt: row.deadline_at ?? row.expires_at,
          },
    verifiedBytes: row.verified_bytes === null ? null : Number(row.verified_bytes),
    failure:
      row.failure_code === null
        ? null
        : { code: row.failure_code as ErrorCode, message: row.failure_message ?? '' },
    issuedBy: row.issued_by,
  }
}

export function workspaceRow(workspace: WorkspaceRecord): Insertable<WorkspacesTable> {
  return { id: workspace.id, name: workspace.name, created_at: workspace.createdAt }
}

export function workspaceRecord(row: Selectable<WorkspacesTable>): WorkspaceRecord {
  return { id: row.id, name: row.name, createdAt: row.created_at }
}
