/**
 * Route schemas of issue 14's history and deletion calls: workspace settings and usage, file
 * versions, the trash. Same rules as schemas.ts (the one source of each wire shape).
 */
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX } from './limits.ts'
import type { Wire } from './wire.ts'

const workspaceId = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'Workspace id, e.g. ws_abc123.',
} as const
const fileKey = {
  type: 'string',
  maxLength: 4096,
  description: "The file's key, e.g. raw/sample.vcf.",
} as const
const versionId = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'A version of the file, from GET /v1/files/versions.',
} as const
const trashId = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'A trash item, from GET /v1/trash.',
} as const
const count = { type: 'integer', minimum: 0 } as const
const timestamp = { type: 'string', format: 'date-time' } as const

/** Workspace settings; the audit/quota work adds its fields here. */
export const workspaceSettingsProperties = {
  trash_days: {
    type: 'integer',
    minimum: 0,
    maximum: 3650,
    description: 'Days a deleted file stays in the trash; 0 deletes at once. Default 7.',
  },
  keep_versions: {
    type: 'integer',
    minimum: 1,
    maximum: 1000,
    description:
      'Versions kept per file, the current one included; 1 keeps no history. Default 10.',
  },
  quota_bytes: {
    type: ['integer', 'null'],
    minimum: 0,
    // Past 2^53 a JSON number is not exact, and PostgreSQL's bigint stops at 2^63: refuse it here.
    maximum: Number.MAX_SAFE_INTEGER,
    description:
      'Bytes the workspace may hold, current files, older versions and the trash together; null: no limit (the default).',
  },
  quota_files: {
    type: ['integer', 'null'],
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description:
      'Files it may hold, older versions and trash items each counting one; null: no limit (the default).',
  },
} as const

export const workspaceSettingsBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: workspaceSettingsProperties,
} as const

export const workspaceDetailSchema = {
  type: 'object',
  required: [
    'id',
    'name',
    'created_at',
    'trash_days',
    'keep_versions',
    'quota_bytes',
    'quota_files',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created_at: timestamp,
    ...workspaceSettingsProperties,
  },
} as const

export const workspaceUsageSchema = {
  type: 'object',
  required: ['files', 'bytes', 'version_bytes', 'trash_bytes', 'versions', 'trash_files'],
  additionalProperties: false,
  properties: {
    files: { ...count, description: 'Current files.' },
    bytes: { ...count, description: 'Bytes of the current files.' },
    version_bytes: { ...count, description: 'Bytes of older versions (trashed files included).' },
    trash_bytes: { ...count, description: 'Bytes of the files in the trash (current content).' },
    versions: { ...count, description: 'Older versions.' },
    trash_files: { ...count, description: 'Files in the trash.' },
  },
} as const

export const versionsQuery = {
  type: 'object',
  required: ['workspace_id', 'key'],
  additionalProperties: false,
  properties: { workspace_id: workspaceId, key: fileKey },
} as const

export const fileVersionSchema = {
  type: 'object',
  required: ['version_id', 'size', 'sha256', 'content_type', 'created_at', 'is_current'],
  additionalProperties: false,
  properties: {
    version_id: { type: 'string' },
    size: { type: 'integer' },
    sha256: { type: 'string' },
    content_type: { type: 'string' },
    created_at: { ...timestamp, description: 'When this content was written.' },
    is_current: { type: 'boolean' },
  },
} as const

export const versionsResponse = {
  type: 'object',
  required: ['versions'],
  additionalProperties: false,
  properties: {
    versions: {
      type: 'array',
      items: fileVersionSchema,
      description: 'Newest first; the first is the current content.',
    },
  },
} as const

export const restoreVersionBody = {
  type: 'object',
  required: ['workspace_id', 'key', 'version_id'],
  additionalProperties: false,
  properties: { workspace_id: workspaceId, key: fileKey, version_id: versionId },
} as const

export const deleteVersionQuery = restoreVersionBody

export const trashListQuery = {
  type: 'object',
  required: ['workspace_id'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    prefix: {
      type: 'string',
      maxLength: 4096,
      default: '',
      description: 'Only items whose key starts with this.',
    },
    limit: { type: 'integer', minimum: 1, maximum: LIST_LIMIT_MAX, default: LIST_LIMIT_DEFAULT },
    cursor: { type: 'string', maxLength: 8192, description: 'next_cursor of the previous page.' },
  },
} as const

export const trashItemSchema = {
  type: 'object',
  required: [
    'trash_id',
    'group_id',
    'file_id',
    'key',
    'name',
    'size',
    'content_type',
    'sha256',
    'updated_at',
    'deleted_at',
    'purge_at',
  ],
  additionalProperties: false,
  properties: {
    trash_id: { type: 'string' },
    group_id: {
      type: 'string',
      description:
        'Files deleted by one call share it; POST /v1/trash/restore-group restores them.',
    },
    file_id: { type: 'string', description: "The file's id, kept when it is restored." },
    key: { type: 'string', description: 'Where the file was.' },
    name: { type: 'string' },
    size: { type: 'integer' },
    content_type: { type: 'string' },
    sha256: { type: 'string' },
    updated_at: timestamp,
    deleted_at: timestamp,
    purge_at: { ...timestamp, description: 'When the reaper deletes it for good.' },
  },
} as const

export const trashListResponse = {
  type: 'object',
  required: ['files', 'next_cursor'],
  additionalProperties: false,
  properties: {
    files: { type: 'array', items: trashItemSchema },
    next_cursor: { type: ['string', 'null'] },
  },
} as const

export const trashRestoreBody = {
  type: 'object',
  required: ['workspace_id', 'trash_id'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    trash_id: trashId,
    to: { ...fileKey, description: 'Restore under this key instead of its own.' },
    overwrite: {
      type: 'boolean',
      default: false,
      description: 'Replace a file that exists at the key now (that file goes to the trash).',
    },
  },
} as const

export const trashRestoreGroupBody = {
  type: 'object',
  required: ['workspace_id', 'group_id'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    group_id: { type: 'string', minLength: 1, maxLength: 64 },
    overwrite: trashRestoreBody.properties.overwrite,
  },
} as const

export const trashRestoreGroupResponse = {
  type: 'object',
  required: ['files'],
  additionalProperties: false,
  properties: { files: { type: 'array', items: { $ref: 'FileInfo#' } } },
} as const

export const trashPurgeQuery = {
  type: 'object',
  required: ['workspace_id'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    trash_id: trashId,
    all: {
      type: 'boolean',
      description: "true empties the workspace's trash (scope admin); else send trash_id.",
    },
  },
} as const

export const trashPurgeResponse = {
  type: 'object',
  required: ['purged'],
  additionalProperties: false,
  properties: { purged: { ...count, description: 'Trash items deleted for good.' } },
} as const

export type WorkspaceSettingsRequest = Wire<typeof workspaceSettingsBody>
export type WorkspaceDetail = Wire<typeof workspaceDetailSchema>
export type WorkspaceUsageResponse = Wire<typeof workspaceUsageSchema>
export type VersionsQuery = Wire<typeof versionsQuery>
export type FileVersion = Wire<typeof fileVersionSchema>
export type VersionsResponse = Wire<typeof versionsResponse>
export type RestoreVersionRequest = Wire<typeof restoreVersionBody>
export type DeleteVersionQuery = Wire<typeof deleteVersionQuery>
export type TrashListQuery = Wire<typeof trashListQuery>
export type TrashItem = Wire<typeof trashItemSchema>
export type TrashListResponse = Wire<typeof trashListResponse>
export type TrashRestoreRequest = Wire<typeof trashRestoreBody>
export type TrashRestoreGroupRequest = Wire<typeof trashRestoreGroupBody>
export type TrashRestoreGroupResponse = Wire<typeof trashRestoreGroupResponse>
export type TrashPurgeQuery = Wire<typeof trashPurgeQuery>
export type TrashPurgeResponse = Wire<typeof trashPurgeResponse>
