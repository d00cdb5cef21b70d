/**
 * Schemas of move, copy and jobs (issue 14): POST /v1/files/move, POST /v1/files/copy,
 * GET /v1/jobs/{id}. Kept beside schemas.ts, in the same style, so the feature reads in one place.
 */
const workspaceId = {
  type: 'string',
  minLength: 1,
  maxLength: 64,
  description: 'Workspace id, e.g. ws_abc123.',
} as const
// No minLength: the server's key validator names the broken rule.
const key = { type: 'string', maxLength: 4096 } as const
const timestamp = { type: 'string', format: 'date-time' } as const
const count = { type: 'integer', minimum: 0 } as const

/** The body of POST /v1/files/move and POST /v1/files/copy. */
export const moveBody = {
  type: 'object',
  required: ['workspace_id', 'from', 'to'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    from: {
      ...key,
      description:
        "A file's key, or a folder ending in '/' (e.g. raw/) for all the files under it.",
    },
    to: {
      ...key,
      description:
        "The new key; for a folder, a folder ending in '/'. A file moved to a key ending in '/' keeps its name there.",
    },
    overwrite: {
      type: 'boolean',
      default: false,
      description: 'Replace files already at the target keys instead of answering 409 file_exists.',
    },
  },
} as const

export const folderMovedSchema = {
  type: 'object',
  required: ['moved'],
  additionalProperties: false,
  properties: { moved: { ...count, description: 'Files moved, in one transaction.' } },
} as const

export const folderCopiedSchema = {
  type: 'object',
  required: ['copied'],
  additionalProperties: false,
  properties: { copied: { ...count, description: 'Files copied, in one transaction.' } },
} as const

export const moveResponse = {
  description: 'A file: the moved file (same id). A folder: how many files moved.',
  anyOf: [{ $ref: 'FileInfo#' }, folderMovedSchema],
} as const

export const copyResponse = {
  description: 'A file: the new copy (new id, same bytes). A folder: how many files were copied.',
  anyOf: [{ $ref: 'FileInfo#' }, folderCopiedSchema],
} as const

/** 202: the folder holds more files than the job threshold; follow GET /v1/jobs/{job_id}. */
export const jobStartedResponse = {
  type: 'object',
  required: ['job_id'],
  additionalProperties: false,
  properties: { job_id: { type: 'string' } },
} as const

export const jobParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', maxLength: 64 } },
} as const

export const jobSchema = {
  type: 'object',
  required: [
    'job_id',
    'workspace_id',
    'kind',
    'from',
    'to',
    'overwrite',
    'status',
    'done',
    'total',
    'error',
    'created_at',
    'updated_at',
  ],
  additionalProperties: false,
  properties: {
    job_id: { type: 'string' },
    workspace_id: { type: 'string' },
    kind: { type: 'string', enum: ['move', 'copy'] },
    from: { type: 'string' },
    to: { type: 'string' },
    overwrite: { type: 'boolean' },
    status: {
      type: 'string',
      enum: ['running', 'done', 'failed'],
      description: 'running (resumed after a restart), done, or failed (see error).',
    },
    done: { ...count, description: 'Files moved or copied so far.' },
    total: { ...count, description: 'Files in the folder when the job started.' },
    error: {
      description: 'Why a failed job stopped (e.g. file_exists); null otherwise.',
      anyOf: [
        {
          type: 'object',
          required: ['code', 'message'],
          additionalProperties: false,
          properties: { code: { type: 'string' }, message: { type: 'string' } },
        },
        { type: 'null' },
      ],
    },
    created_at: timestamp,
    updated_at: timestamp,
  },
} as const

/**
 * DELETE /v1/files: one file (`key`, the seed's call) or a whole folder (`prefix` ending in '/'
 * and `recursive=true`).
 */
export const deleteFilesQuery = {
  type: 'object',
  required: ['workspace_id'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    key: { ...key, description: "The file's key." },
    prefix: {
      ...key,
      description: "A folder ending in '/' (e.g. raw/): every file under it, with recursive=true.",
    },
    recursive: {
      type: 'boolean',
      default: false,
      description: 'Required with prefix, so a folder is never deleted by accident.',
    },
  },
} as const

export const folderDeletedSchema = {
  type: 'object',
  required: ['deleted', 'group_id'],
  additionalProperties: false,
  properties: {
    deleted: { ...count, description: 'Files sent to the trash (or deleted, with trash_days 0).' },
    group_id: {
      type: ['string', 'null'],
      description:
        'The trash group they share: restoring it restores the whole folder. null when the workspace keeps no trash.',
    },
  },
} as const
