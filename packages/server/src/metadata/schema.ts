import type { Generated } from 'kysely'

/** The tables as Kysely sees them. Timestamps are ISO 8601 UTC strings on both databases. */
export interface WorkspacesTable {
  id: string
  name: string
  created_at: string
  /** Settings (migration 0005); the database fills the defaults. */
  trash_days: Generated<number>
  keep_versions: Generated<number>
  /** Quotas (migration 0017); null: no limit. */
  quota_bytes: number | string | null
  quota_files: number | string | null
}

export interface ApiKeysTable {
  id: string
  name: string
  secret_hash: string
  /** JSON array of scopes. */
  scopes: string
  /** JSON array of workspace ids, or null for every workspace. */
  workspace_ids: string | null
  created_at: string
  expires_at: string | null
  revoked_at: string | null
}

export interface FilesTable {
  workspace_id: string
  key: string
  id: string
  size: number | string
  content_type: string
  description: string | null
  sha256: string
  blob_name: string
  created_at: string
  updated_at: string
  /** The current version's id; null for files written before migration 0005. */
  version_id?: string | null
}

export interface UploadsTable {
  id: string
  workspace_id: string
  key: string
  blob_name: string
  size: number | string
  content_type: string
  description: string | null
  sha256: string | null
  overwrite: number
  status: string
  received_sha256: string | null
  created_at: string
  expires_at: string
  store_upload_id: string | null
  part_size: number | string | null
  part_count: number | null
  deadline_at: string | null
  verified_bytes: number | string | null
  verify_claimed_until: string | null
  failure_code: string | null
  failure_message: string | null
  issued_by: string | null
}

export interface PendingDeletionsTable {
  blob_name: string
  queued_at: string
  attempts: number
  next_attempt_at: string
}

export interface AuditEventsTable {
  /** Assigned by the database (see SqlDialect.serialKey). */
  seq: Generated<number | string>
  id: string
  at: string
  actor_key_id: string | null
  actor_key_name: string | null
  action: string
  workspace_id: string | null
  key: string | null
  version_id: string | null
  size: number | string | null
  ip: string | null
  request_id: string | null
  outcome: string
}

export interface LinkGenerationsTable {
  file_id: string
  generation: number
}

export interface JobsTable {
  id: string
  workspace_id: string
  kind: string
  from_key: string
  to_key: string
  overwrite: number
  status: string
  total: number | string
  done: number | string
  cursor: string | null
  error_code: string | null
  error_message: string | null
  /** JSON AuditContext of the call that started the job. */
  audit_context: string | null
  created_at: string
  updated_at: string
}

/** An older version of a file (the current one is the files row). */
export interface FileVersionsTable {
  version_id: string
  file_id: string
  workspace_id: string
  size: number | string
  content_type: string
  sha256: string
  blob_name: string
  created_at: string
}

/** A deleted file, restorable until purge_at; its older versions stay in file_versions. */
export interface TrashTable {
  trash_id: string
  group_id: string
  workspace_id: string
  key: string
  file_id: string
  version_id: string | null
  size: number | string
  content_type: string
  description: string | null
  sha256: string
  blob_name: string
  created_at: string
  updated_at: string
  deleted_at: string
  purge_at: string
}

/** Counters kept by triggers (migration 0005), one row per (workspace, shard). */
export interface WorkspaceUsageTable {
  workspace_id: string
  /** Writers on different connections add to different rows; usage is their sum. */
  shard: number
  files: Generated<number | string>
  bytes: Generated<number | string>
  versions: Generated<number | string>
  version_bytes: Generated<number | string>
  trash_files: Generated<number | string>
  trash_bytes: Generated<number | string>
}

export interface Database {
  workspaces: WorkspacesTable
  api_keys: ApiKeysTable
  files: FilesTable
  uploads: UploadsTable
  pending_deletions: PendingDeletionsTable
  audit_events: AuditEventsTable
  link_generations: LinkGenerationsTable
  jobs: JobsTable
  file_versions: FileVersionsTable
  trash: TrashTable
  workspace_usage: WorkspaceUsageTable
}
