/**
 * JSON Schemas of the routes: the server validates requests with them and generates
 * /openapi.json from them. Plain objects, so this package keeps zero runtime dependencies.
 */
import { ERROR_CODES } from './error-codes.ts'
import {
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  URL_EXPIRES_DEFAULT_SECONDS,
  URL_EXPIRES_MAX_SECONDS,
} from './limits.ts'
import { SCOPES } from './wire.ts'

const workspaceId = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'Workspace id, e.g. ws_abc123.',
} as const
// No minLength on keys and file names: the server's key validator names the broken rule.
const fileKey = {
  type: 'string',
  maxLength: 4096,
  description: "The file's key, e.g. raw/sample.vcf.",
} as const
const sha256 = {
  type: 'string',
  pattern: '^[0-9a-fA-F]{64}$',
  description: 'Hex SHA-256 of the bytes.',
} as const
const size = {
  type: 'integer',
  minimum: 0,
  maximum: Number.MAX_SAFE_INTEGER,
  description: 'Size in bytes.',
} as const
const expiresIn = {
  type: 'integer',
  minimum: 1,
  maximum: URL_EXPIRES_MAX_SECONDS,
  default: URL_EXPIRES_DEFAULT_SECONDS,
  description: 'Seconds the URL stays valid.',
} as const
const timestamp = { type: 'string', format: 'date-time' } as const

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string' },
        request_id: { type: 'string' },
        details: { type: 'object', additionalProperties: true },
      },
    },
  },
} as const

export const fileInfoSchema = {
  $id: 'FileInfo',
  type: 'object',
  required: [
    'id',
    'workspace_id',
    'key',
    'name',
    'size',
    'content_type',
    'description',
    'sha256',
    'created_at',
    'updated_at',
  ],
  properties: {
    id: { type: 'string' },
    workspace_id: { type: 'string' },
    key: { type: 'string' },
    name: { type: 'string' },
    size: { type: 'integer' },
    content_type: { type: 'string' },
    description: { type: ['string', 'null'] },
    sha256: { type: 'string' },
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const

export const workspaceSchema = {
  $id: 'Workspace',
  type: 'object',
  required: ['id', 'name', 'created_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    created_at: timestamp,
  },
} as const

export const apiKeySchema = {
  $id: 'ApiKey',
  type: 'object',
  required: ['id', 'name', 'scopes', 'workspace_ids', 'created_at', 'expires_at', 'revoked_at'],
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string', enum: [...SCOPES] } },
    workspace_ids: { type: ['array', 'null'], items: { type: 'string' } },
    created_at: timestamp,
    expires_at: { type: ['string', 'null'], format: 'date-time' },
    revoked_at: { type: ['string', 'null'], format: 'date-time' },
    secret: {
      type: 'string',
      description: 'Only in the answer to POST /v1/keys.',
    },
  },
} as const

export const meSchema = {
  $id: 'Me',
  type: 'object',
  required: ['key', 'workspaces'],
  properties: {
    key: {
      type: 'object',
      required: ['id', 'name', 'scopes', 'expires_at', 'created_at'],
      properties: {
        id: { type: 'string' },
        name: { type: 'string' },
        scopes: { type: 'array', items: { type: 'string', enum: [...SCOPES] } },
        expires_at: { type: ['string', 'null'], format: 'date-time' },
        created_at: timestamp,
      },
    },
    workspaces: {
      type: 'array',
      description: 'The workspaces this key may use (all of them for a key granted every one).',
      items: {
        type: 'object',
        required: ['id', 'name'],
        properties: { id: { type: 'string' }, name: { type: 'string' } },
      },
    },
  },
} as const

export const listFilesQuery = {
  type: 'object',
  required: ['workspace_id'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    prefix: {
      type: 'string',
      maxLength: 4096,
      default: '',
      description: 'Only keys starting with this, e.g. results/.',
    },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: LIST_LIMIT_MAX,
      default: LIST_LIMIT_DEFAULT,
    },
    cursor: {
      type: 'string',
      maxLength: 8192,
      description: 'next_cursor of the previous page.',
    },
    delimiter: {
      type: 'string',
      enum: ['/'],
      description: "'/' for a folder view.",
    },
  },
} as const

export const listFilesResponse = {
  type: 'object',
  required: ['files', 'next_cursor'],
  properties: {
    files: { type: 'array', items: { $ref: 'FileInfo#' } },
    folders: { type: 'array', items: { type: 'string' } },
    next_cursor: { type: ['string', 'null'] },
  },
} as const

export const fileLocatorQuery = {
  type: 'object',
  required: ['workspace_id', 'key'],
  additionalProperties: false,
  properties: { workspace_id: workspaceId, key: fileKey },
} as const

export const downloadQuery = {
  type: 'object',
  required: ['workspace_id', 'key'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    key: fileKey,
    expires_in: expiresIn,
    disposition: {
      type: 'string',
      enum: ['attachment', 'inline'],
      default: 'attachment',
    },
  },
} as const

export const downloadResponse = {
  type: 'object',
  required: ['url', 'expires_at'],
  properties: { url: { type: 'string' }, expires_at: timestamp },
} as const

export const uploadFormQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    path: { type: 'string', maxLength: 4096 },
    description: { type: 'string', maxLength: 4096 },
    overwrite: { type: 'boolean' },
  },
} as const

export const uploadUrlBody = {
  type: 'object',
  required: ['filename', 'workspace_id', 'size'],
  additionalProperties: false,
  properties: {
    filename: { type: 'string', maxLength: 1024 },
    workspace_id: workspaceId,
    content_type: { type: 'string', maxLength: 255 },
    size,
    path: { type: 'string', maxLength: 4096 },
    description: { type: 'string', maxLength: 4096 },
    sha256,
    overwrite: { type: 'boolean', default: true },
    expires_in: expiresIn,
    multipart: { type: 'boolean', description: 'A multipart session whatever the size.' },
    part_size: {
      type: 'integer',
      minimum: 1,
      maximum: Number.MAX_SAFE_INTEGER,
      description: 'Part size hint (bytes).',
    },
  },
} as const

export const uploadUrlResponse = {
  type: 'object',
  required: ['fileKey', 'uploadId', 'expiresAt', 'method', 'headers'],
  properties: {
    uploadUrl: { type: 'string', description: 'Single PUT only.' },
    fileKey: { type: 'string' },
    uploadId: { type: 'string' },
    expiresAt: timestamp,
    method: { type: 'string', enum: ['PUT'] },
    multipart: { type: 'boolean' },
    partSize: { type: 'integer', description: 'Multipart only.' },
    partCount: { type: 'integer', description: 'Multipart only.' },
    headers: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const

const uploadPart = {
  type: 'object',
  required: ['part_number', 'size', 'sha256', 'etag'],
  properties: {
    part_number: { type: 'integer' },
    size: { type: 'integer' },
    sha256: { type: ['string', 'null'] },
    etag: { type: ['string', 'null'] },
  },
} as const

export const uploadSessionSchema = {
  $id: 'UploadSession',
  type: 'object',
  required: [
    'upload_id',
    'file_key',
    'workspace_id',
    'status',
    'multipart',
    'size',
    'part_size',
    'part_count',
    'created_at',
    'expires_at',
  ],
  properties: {
    upload_id: { type: 'string' },
    file_key: { type: 'string' },
    workspace_id: { type: 'string' },
    status: {
      type: 'string',
      enum: ['pending', 'received', 'completed', 'failed', 'aborted', 'expired'],
    },
    multipart: { type: 'boolean' },
    size: { type: 'integer' },
    part_size: { type: ['integer', 'null'] },
    part_count: { type: ['integer', 'null'] },
    created_at: timestamp,
    expires_at: timestamp,
    parts: { type: 'array', items: uploadPart },
  },
} as const

export const uploadLocatorQuery = {
  type: 'object',
  required: ['workspace_id'],
  additionalProperties: false,
  properties: { workspace_id: workspaceId },
} as const

export const signPartsBody = {
  type: 'object',
  required: ['workspace_id', 'part_numbers'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    part_numbers: {
      type: 'array',
      minItems: 1,
      maxItems: 1000,
      items: { type: 'integer', minimum: 1, maximum: 10_000 },
    },
    expires_in: expiresIn,
  },
} as const

export const signPartsResponse = {
  type: 'object',
  required: ['parts'],
  properties: {
    parts: {
      type: 'array',
      items: {
        type: 'object',
        required: ['part_number', 'size', 'url', 'headers', 'expires_at'],
        properties: {
          part_number: { type: 'integer' },
          size: { type: 'integer' },
          url: { type: 'string' },
          headers: { type: 'object', additionalProperties: { type: 'string' } },
          expires_at: timestamp,
        },
      },
    },
  },
} as const

export const uploadConfirmBody = {
  type: 'object',
  required: ['file_key', 'workspace_id', 'size'],
  additionalProperties: false,
  properties: {
    file_key: fileKey,
    workspace_id: workspaceId,
    filename: { type: 'string', maxLength: 1024 },
    size,
    upload_id: { type: 'string', maxLength: 64 },
    sha256,
  },
} as const

export const createWorkspaceBody = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', maxLength: 64 },
    name: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const

export const createKeyBody = {
  type: 'object',
  required: ['name', 'scopes'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 200 },
    scopes: {
      type: 'array',
      minItems: 1,
      items: { type: 'string', enum: [...SCOPES] },
    },
    workspace_ids: { type: 'array', items: workspaceId, maxItems: 1000 },
    expires_at: { type: 'string', format: 'date-time' },
  },
} as const

/** Shared schemas, registered once with the server (`$ref: 'FileInfo#'`). */
export const sharedSchemas = [
  errorSchema,
  fileInfoSchema,
  workspaceSchema,
  apiKeySchema,
  meSchema,
  uploadSessionSchema,
] as const
