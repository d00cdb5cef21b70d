/** JSON shapes on the wire. Request fields are snake_case (the seed's contract), except the
 * seed's own camelCase answers of the large-file flow (`uploadUrl`, `fileKey`). */

import type { ErrorCode } from './error-codes.ts'

export interface FileInfo {
  /** Stable identifier: survives replacing the file's bytes. */
  id: string
  workspace_id: string
  /** The file's path inside its workspace: `path` + file name, e.g. `raw/sample.vcf`. */
  key: string
  /** The last segment of the key. */
  name: string
  size: number
  content_type: string
  description: string | null
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string
  created_at: string
  updated_at: string
}

export interface ListFilesResponse {
  files: FileInfo[]
  /** Common prefixes ending in the delimiter; only with `delimiter=/`. */
  folders?: string[]
  /** Pass as `cursor` to get the next page; null on the last page. */
  next_cursor: string | null
}

export interface DownloadUrlResponse {
  url: string
  expires_at: string
}

export interface UploadUrlRequest {
  filename: string
  workspace_id: string
  content_type?: string
  size: number
  path?: string
  description?: string
  sha256?: string
  overwrite?: boolean
  expires_in?: number
  /** Ask for a multipart session whatever the size. */
  multipart?: boolean
  /** Part size hint in bytes for a multipart session (clamped by the server). */
  part_size?: number
}

/** The seed's answer: one PUT URL. */
export interface UploadUrlResponse {
  uploadUrl: string
  fileKey: string
  uploadId: string
  expiresAt: string
  method: 'PUT'
  multipart?: false
  /** Exactly the headers the PUT must carry. */
  headers: Record<string, string>
}

/** A multipart session: sign part URLs with POST /v1/files/uploads/{uploadId}/parts. */
export interface MultipartUploadResponse {
  uploadId: string
  fileKey: string
  multipart: true
  method: 'PUT'
  partSize: number
  partCount: number
  /** The session's idle deadline; every action on it pushes it back. */
  expiresAt: string
  headers: Record<string, string>
}

export interface UploadPart {
  part_number: number
  size: number
  /** Hex SHA-256 computed on arrival (local backend), else null. */
  sha256: string | null
  /** The store's tag for the part (S3: its MD5), else null. */
  etag: string | null
}

export interface UploadSession {
  upload_id: string
  file_key: string
  workspace_id: string
  status: 'pending' | 'received' | 'completed' | 'failed' | 'aborted' | 'expired'
  multipart: boolean
  size: number
  part_size: number | null
  part_count: number | null
  created_at: string
  expires_at: string
  /** What the store holds so far (multipart sessions, GET only). */
  parts?: UploadPart[]
}

export interface SignedPartUrl {
  part_number: number
  size: number
  url: string
  headers: Record<string, string>
  expires_at: string
}

export interface UploadConfirmRequest {
  file_key: string
  workspace_id: string
  filename?: string
  size: number
  upload_id?: string
  sha256?: string
}

export interface Workspace {
  id: string
  name: string
  created_at: string
}

export const SCOPES = ['admin', 'files', 'files:read', 'files:write', 'files:delete'] as const
export type Scope = (typeof SCOPES)[number]

export interface ApiKeyInfo {
  id: string
  name: string
  scopes: Scope[]
  /** null: every workspace (admin keys). */
  workspace_ids: string[] | null
  created_at: string
  expires_at: string | null
  revoked_at: string | null
}

/** GET /v1/me: the calling key and the workspaces it may use. */
export interface MeResponse {
  key: Pick<ApiKeyInfo, 'id' | 'name' | 'scopes' | 'expires_at' | 'created_at'>
  /** Every workspace for a key granted all of them (admin keys). */
  workspaces: Array<Pick<Workspace, 'id' | 'name'>>
}

export interface CreatedApiKey extends ApiKeyInfo {
  /** The secret, shown once. */
  secret: string
}

export interface ErrorBody {
  error: {
    code: ErrorCode
    message: string
    request_id?: string
    details?: Record<string, unknown>
  }
}

export interface ListFilesQuery {
  workspace_id: string
  prefix?: string
  limit?: number
  cursor?: string
  delimiter?: '/'
}

export interface FileLocator {
  workspace_id: string
  key: string
}

export interface DownloadQuery extends FileLocator {
  expires_in?: number
  disposition?: 'attachment' | 'inline'
}

export interface CreateWorkspaceRequest {
  id?: string
  name: string
}

export interface CreateKeyRequest {
  name: string
  scopes: Scope[]
  workspace_ids?: string[]
  expires_at?: string
}

export interface StorageStatus {
  backend: 'local' | 's3'
  location: string
  reachable: boolean
  /** Origins allowed to use presigned URLs from a browser; null where CORS does not apply. */
  cors_origins: string[] | null
  /** What is wrong, each with what to do. */
  problems: string[]
}
