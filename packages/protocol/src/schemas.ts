/**
 * JSON Schemas of the routes: the server validates requests with them and generates
 * /openapi.json from them, and wire.ts derives every request and response type from them, so
 * the schema is the one source of each wire shape. Plain objects, so this package keeps zero
 * runtime dependencies. Answer objects say `additionalProperties: false` so their derived types
 * are exact (the serializer drops unknown fields either way).
 */
import { ERROR_CODES } from './error-codes.ts'
import {
  LIST_LIMIT_DEFAULT,
  LIST_LIMIT_MAX,
  URL_EXPIRES_DEFAULT_SECONDS,
  URL_EXPIRES_MAX_SECONDS,
} from './limits.ts'
import { SCOPES } from './scopes.ts'

export const workspaceId = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'Workspace id, e.g. ws_abc123.',
} as const
// No minLength on keys and file names: the server's key validator names the broken rule.
export const fileKey = {
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
      additionalProperties: false,
      properties: {
        code: { type: 'string', enum: [...ERROR_CODES] },
        message: { type: 'string', description: 'What happened and what to do.' },
        request_id: { type: 'string' },
        details: {
          type: 'object',
          additionalProperties: true,
          description: 'Some codes carry fields; docs/errors.md lists them per code.',
        },
      },
    },
  },
  additionalProperties: false,
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
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: "Stable identifier: survives replacing the file's bytes." },
    workspace_id: { type: 'string' },
    key: {
      type: 'string',
      description: "The file's path inside its workspace: `path` + file name, e.g. raw/sample.vcf.",
    },
    name: { type: 'string', description: 'The last segment of the key.' },
    size: { type: 'integer' },
    content_type: { type: 'string' },
    description: { type: ['string', 'null'] },
    sha256: { type: 'string', description: 'Lower-case hex SHA-256 of the bytes.' },
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const

export const workspaceSchema = {
  $id: 'Workspace',
  type: 'object',
  required: ['id', 'name', 'created_at'],
  additionalProperties: false,
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
  additionalProperties: false,
  properties: apiKeyProperties(),
} as const

/** The answer to POST /v1/keys: the key and its secret, shown this once. */
export const createdApiKeySchema = {
  $id: 'CreatedApiKey',
  type: 'object',
  required: [...apiKeySchema.required, 'secret'],
  additionalProperties: false,
  properties: {
    ...apiKeyProperties(),
    secret: { type: 'string', description: 'The secret, shown once.' },
  },
} as const

function apiKeyProperties() {
  return {
    id: { type: 'string' },
    name: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string', enum: [...SCOPES] } },
    workspace_ids: {
      type: ['array', 'null'],
      items: { type: 'string' },
      description: 'null: every workspace (admin keys).',
    },
    created_at: timestamp,
    expires_at: { type: ['string', 'null'], format: 'date-time' },
    revoked_at: { type: ['string', 'null'], format: 'date-time' },
  } as const
}

export const meSchema = {
  $id: 'Me',
  type: 'object',
  required: ['key', 'workspaces'],
  additionalProperties: false,
  properties: {
    key: {
      type: 'object',
      required: ['id', 'name', 'scopes', 'expires_at', 'created_at'],
      additionalProperties: false,
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
        additionalProperties: false,
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
  additionalProperties: false,
  properties: {
    files: { type: 'array', items: { $ref: 'FileInfo#' } },
    folders: {
      type: 'array',
      items: { type: 'string' },
      description: 'Common prefixes ending in the delimiter; only with delimiter=/.',
    },
    next_cursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor to get the next page; null on the last page.',
    },
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
    link: {
      type: 'string',
      enum: ['granary', 'direct'],
      description:
        "granary: a Granary link, whose path ends in the file's name and also serves the file's index (x.bam.bai, x.vcf.gz.tbi), so samtools, bcftools, tabix and IGV find it; direct: the store's own URL (S3 presigned). Default: the server's GRANARY_LINKS (granary on the local backend, direct on S3).",
    },
    with_index: {
      type: 'boolean',
      default: false,
      description: "Also answer index_url and index_key when the file's index exists beside it.",
    },
    version_id: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description: 'An older version (GET /v1/files/versions) instead of the current content.',
    },
  },
} as const

export const downloadResponse = {
  type: 'object',
  required: ['url', 'expires_at'],
  additionalProperties: false,
  properties: {
    url: { type: 'string' },
    expires_at: timestamp,
    index_url: {
      type: 'string',
      description: "With with_index=true and an index beside the file: the index's URL.",
    },
    index_key: {
      type: 'string',
      description: 'With with_index=true and an index beside the file: its key.',
    },
  },
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

const headers = {
  type: 'object',
  additionalProperties: { type: 'string' },
  description: 'Exactly the headers the PUT must carry.',
} as const

/** The seed's answer: one PUT URL. */
export const singleUploadUrlResponse = {
  type: 'object',
  required: ['uploadUrl', 'fileKey', 'uploadId', 'expiresAt', 'method', 'multipart', 'headers'],
  additionalProperties: false,
  properties: {
    uploadUrl: { type: 'string' },
    fileKey: { type: 'string' },
    uploadId: { type: 'string' },
    expiresAt: timestamp,
    method: { type: 'string', enum: ['PUT'] },
    multipart: { type: 'boolean', enum: [false] },
    headers,
  },
} as const

/** A multipart session: sign part URLs with POST /v1/files/uploads/{uploadId}/parts. */
export const multipartUploadResponse = {
  type: 'object',
  required: [
    'uploadId',
    'fileKey',
    'multipart',
    'method',
    'partSize',
    'partCount',
    'expiresAt',
    'headers',
  ],
  additionalProperties: false,
  properties: {
    uploadId: { type: 'string' },
    fileKey: { type: 'string' },
    multipart: { type: 'boolean', enum: [true] },
    method: { type: 'string', enum: ['PUT'] },
    partSize: { type: 'integer' },
    partCount: { type: 'integer' },
    expiresAt: {
      ...timestamp,
      description: "The session's idle deadline; every action on it pushes it back.",
    },
    headers,
  },
} as const

export const uploadUrlResponse = {
  anyOf: [singleUploadUrlResponse, multipartUploadResponse],
} as const

export const uploadPartSchema = {
  type: 'object',
  required: ['part_number', 'size', 'sha256', 'etag'],
  additionalProperties: false,
  properties: {
    part_number: { type: 'integer' },
    size: { type: 'integer' },
    sha256: {
      type: ['string', 'null'],
      description: 'Hex SHA-256 computed on arrival (local backend), else null.',
    },
    etag: {
      type: ['string', 'null'],
      description: "The store's tag for the part (S3: its MD5), else null.",
    },
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
  additionalProperties: false,
  properties: {
    upload_id: { type: 'string' },
    file_key: { type: 'string' },
    workspace_id: { type: 'string' },
    status: {
      type: 'string',
      enum: ['pending', 'received', 'verifying', 'completed', 'failed', 'aborted', 'expired'],
      description:
        "'verifying': confirmed (202), the server is reading the bytes back; the file appears when it is 'completed'.",
    },
    verified_bytes: {
      type: 'integer',
      description: "While 'verifying': bytes read back so far (from 0 again after a restart).",
    },
    error: {
      type: 'object',
      required: ['code', 'message'],
      additionalProperties: false,
      description: "Why a 'failed' upload failed, when it failed while verifying.",
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
    multipart: { type: 'boolean' },
    size: { type: 'integer' },
    part_size: { type: ['integer', 'null'] },
    part_count: { type: ['integer', 'null'] },
    created_at: timestamp,
    expires_at: timestamp,
    parts: {
      type: 'array',
      items: uploadPartSchema,
      description: 'What the store holds so far (multipart sessions, GET only).',
    },
  },
} as const

/** The `{id}` of /v1/files/uploads/{id} and /v1/keys/{id}. */
export const idParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string' } },
} as const

export const uploadLocatorQuery = {
  type: 'object',
  required: ['workspace_id'],
  additionalProperties: false,
  properties: { workspace_id: workspaceId },
} as const

export const uploadListResponse = {
  type: 'object',
  required: ['uploads'],
  additionalProperties: false,
  properties: { uploads: { type: 'array', items: { $ref: 'UploadSession#' } } },
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

export const signedPartUrlSchema = {
  type: 'object',
  required: ['part_number', 'size', 'url', 'headers', 'expires_at'],
  additionalProperties: false,
  properties: {
    part_number: { type: 'integer' },
    size: { type: 'integer' },
    url: { type: 'string' },
    headers,
    expires_at: timestamp,
  },
} as const

export const signPartsResponse = {
  type: 'object',
  required: ['parts'],
  additionalProperties: false,
  properties: { parts: { type: 'array', items: signedPartUrlSchema } },
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

/** What a repeat confirm tells a key that may not read files: the file's id and key only. */
export const fileReferenceSchema = {
  type: 'object',
  required: ['id', 'key'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, key: { type: 'string' } },
} as const

/** A confirm of a large object (S3) answered before its bytes are read back: poll the upload. */
export const uploadVerifyingResponse = {
  type: 'object',
  required: ['status', 'upload_id'],
  additionalProperties: false,
  description:
    "The bytes are being verified: poll GET /v1/files/uploads/{upload_id} until 'completed' (then confirm again for the FileInfo) or 'failed'.",
  properties: {
    status: { type: 'string', enum: ['verifying'] },
    upload_id: { type: 'string' },
  },
} as const

export const uploadConfirmResponse = {
  description:
    'The FileInfo; confirming again with a key that lacks files:read answers only id and key.',
  anyOf: [{ $ref: 'FileInfo#' }, fileReferenceSchema],
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

export const workspaceListResponse = {
  type: 'object',
  required: ['workspaces'],
  additionalProperties: false,
  properties: { workspaces: { type: 'array', items: { $ref: 'Workspace#' } } },
} as const

export const keyListResponse = {
  type: 'object',
  required: ['keys'],
  additionalProperties: false,
  properties: { keys: { type: 'array', items: { $ref: 'ApiKey#' } } },
} as const

/** What `granary admin storage check` shows. */
export const storageStatusSchema = {
  type: 'object',
  required: ['backend', 'location', 'reachable', 'cors_origins', 'problems'],
  additionalProperties: false,
  properties: {
    backend: { type: 'string', enum: ['local', 's3'] },
    location: { type: 'string' },
    reachable: { type: 'boolean' },
    cors_origins: {
      type: ['array', 'null'],
      items: { type: 'string' },
      description:
        'Origins allowed to use presigned URLs from a browser; null where CORS does not apply.',
    },
    problems: {
      type: 'array',
      items: { type: 'string' },
      description: 'What is wrong, each with what to do.',
    },
  },
} as const

export const storageCorsBody = {
  type: 'object',
  required: ['origins'],
  additionalProperties: false,
  properties: {
    origins: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'string', maxLength: 255 },
    },
  },
} as const

/** What POST /v1/admin/gc reclaimed. */
export const gcReportSchema = {
  type: 'object',
  required: ['expired_uploads', 'orphan_blobs', 'reclaimed_bytes', 'deleted_blobs'],
  additionalProperties: false,
  properties: {
    expired_uploads: { type: 'integer' },
    deleted_blobs: {
      type: 'integer',
      description: "Deleted files' bytes whose queued deletion succeeded now.",
    },
    orphan_blobs: {
      type: 'integer',
      description:
        'Blobs nothing referred to (left by a crash between storing bytes and committing them).',
    },
    reclaimed_bytes: { type: 'integer' },
  },
} as const

/** POST /v1/admin/scrub: how much to read, and how fast. */
export const scrubStartBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    sample_percent: {
      type: 'number',
      exclusiveMinimum: 0,
      maximum: 100,
      description: 'Share of the files to read back, picked at random (default 100).',
    },
    max_bytes_per_second: {
      type: 'integer',
      minimum: 1024,
      description: 'Cap on the bytes read per second, averaged over the run (default 100 MiB).',
    },
  },
} as const

const scrubFindingSchema = {
  type: 'object',
  required: ['workspace_id', 'key', 'blob_name', 'problem', 'expected_sha256', 'actual_sha256'],
  additionalProperties: false,
  properties: {
    workspace_id: { type: 'string' },
    key: { type: 'string' },
    blob_name: { type: 'string' },
    problem: { type: 'string', enum: ['checksum_mismatch', 'blob_missing'] },
    expected_sha256: { type: 'string' },
    actual_sha256: { type: ['string', 'null'] },
  },
} as const

/** One scrub run: what it read so far and what it found. */
export const scrubRunSchema = {
  type: 'object',
  required: [
    'id',
    'status',
    'started_at',
    'finished_at',
    'sample_percent',
    'max_bytes_per_second',
    'checked_files',
    'checked_bytes',
    'skipped_files',
    'findings',
    'error',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string' },
    status: { type: 'string', enum: ['running', 'finished', 'failed'] },
    started_at: { type: 'string' },
    finished_at: { type: ['string', 'null'] },
    sample_percent: { type: 'number' },
    max_bytes_per_second: { type: 'integer' },
    checked_files: { type: 'integer' },
    checked_bytes: { type: 'integer' },
    skipped_files: { type: 'integer' },
    findings: { type: 'array', items: scrubFindingSchema },
    error: { type: ['string', 'null'] },
  },
} as const

/** GET /v1/admin/scrub: this process's running or last run, null before the first. */
export const scrubStatusSchema = {
  type: 'object',
  required: ['scrub'],
  additionalProperties: false,
  properties: { scrub: { anyOf: [scrubRunSchema, { type: 'null' }] } },
} as const

// Granary's own signed URLs (local backend): the query carries what the signature covers.
// Unknown parameters are ignored, not refused, as on S3's presigned URLs.

export const signedPutQuery = {
  type: 'object',
  required: ['size', 'expires', 'signature'],
  properties: {
    size: { type: 'integer', minimum: 0 },
    expires: { type: 'integer' },
    signature: { type: 'string', maxLength: 128 },
  },
} as const

export const signedPartParams = {
  type: 'object',
  required: ['id', 'n'],
  properties: {
    id: { type: 'string' },
    n: { type: 'integer', minimum: 1, maximum: 10_000 },
  },
} as const

export const signedPartResponse = {
  type: 'object',
  required: ['part_number', 'size', 'sha256'],
  additionalProperties: false,
  properties: {
    part_number: { type: 'integer' },
    size: { type: 'integer' },
    sha256: { type: ['string', 'null'] },
  },
} as const

export const signedDownloadQuery = {
  type: 'object',
  required: ['expires', 'disposition', 'type', 'signature', 'kid', 'fid', 'gen'],
  properties: {
    expires: { type: 'integer' },
    disposition: { type: 'string', enum: ['attachment', 'inline'] },
    type: { type: 'string', maxLength: 255 },
    signature: { type: 'string', maxLength: 128 },
    kid: { type: 'string', maxLength: 64, description: 'The API key that asked for the link.' },
    fid: { type: 'string', maxLength: 64, description: 'The linked file.' },
    gen: { type: 'integer', minimum: 0, description: "The file's link generation when signed." },
  },
} as const

/** Shared schemas, registered once with the server (`$ref: 'FileInfo#'`). */
export const sharedSchemas = [
  errorSchema,
  fileInfoSchema,
  workspaceSchema,
  apiKeySchema,
  createdApiKeySchema,
  meSchema,
  uploadSessionSchema,
] as const
