/**
 * The audit trail's wire shapes (GET /v1/audit) and the closed list of its actions, and the
 * revocation of a file's links (POST /v1/files/revoke-links).
 */
import { LIST_LIMIT_DEFAULT, LIST_LIMIT_MAX } from './limits.ts'
import type { Wire } from './wire.ts'

/** Every action an audit event can name. */
export const AUDIT_ACTIONS = [
  'file.upload',
  'file.replace',
  'file.delete',
  'file.restore',
  'version.delete',
  'trash.purge',
  'file.move',
  'file.copy',
  'link.issue',
  'links.revoke',
  'upload.start',
  'upload.abort',
  'upload.fail',
  'upload.expire',
  'key.create',
  'key.revoke',
  'workspace.create',
  'workspace.update',
] as const
export type AuditAction = (typeof AUDIT_ACTIONS)[number]

const timestamp = { type: 'string', format: 'date-time' } as const
const nullableText = { type: ['string', 'null'] } as const

export const auditQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    workspace_id: { type: 'string', minLength: 1, maxLength: 64 },
    since: { ...timestamp, description: 'Events at or after this time (ISO 8601).' },
    until: { ...timestamp, description: 'Events before this time (ISO 8601).' },
    action: {
      type: 'string',
      maxLength: 1000,
      description: 'One action or several separated by commas, e.g. file.delete,key.revoke.',
    },
    key_prefix: {
      type: 'string',
      maxLength: 4096,
      description: 'Events on keys starting with this.',
    },
    actor_key_id: { type: 'string', maxLength: 64, description: 'Events made by this API key.' },
    limit: { type: 'integer', minimum: 1, maximum: LIST_LIMIT_MAX, default: LIST_LIMIT_DEFAULT },
    cursor: {
      type: 'string',
      pattern: '^[0-9]{1,20}$',
      description: 'next_cursor of the previous page.',
    },
    order: {
      type: 'string',
      enum: ['desc', 'asc'],
      default: 'desc',
      description: 'desc: newest first; asc: oldest first (follow a log with the cursor).',
    },
  },
} as const

export const auditEventSchema = {
  type: 'object',
  required: [
    'id',
    'seq',
    'at',
    'actor_key_id',
    'actor_key_name',
    'action',
    'workspace_id',
    'key',
    'version_id',
    'size',
    'ip',
    'request_id',
    'outcome',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'ev_...: stable, unique.' },
    seq: { type: 'integer', description: 'Grows with every event, in commit order.' },
    at: timestamp,
    actor_key_id: { ...nullableText, description: 'null: the server itself (e.g. the reaper).' },
    actor_key_name: nullableText,
    action: { type: 'string', enum: [...AUDIT_ACTIONS] },
    workspace_id: nullableText,
    key: { ...nullableText, description: 'The file key, or the API key id for key.* actions.' },
    version_id: nullableText,
    size: { type: ['integer', 'null'] },
    ip: nullableText,
    request_id: nullableText,
    outcome: {
      type: 'string',
      enum: ['ok', 'denied'],
      description: 'ok: the change was made; denied: an authenticated key was refused.',
    },
  },
} as const

export const auditResponse = {
  type: 'object',
  required: ['events', 'next_cursor'],
  additionalProperties: false,
  properties: {
    events: { type: 'array', items: auditEventSchema },
    next_cursor: {
      type: ['string', 'null'],
      description: 'Pass as cursor for the next page; null when this page is the last.',
    },
  },
} as const

export const revokeLinksBody = {
  type: 'object',
  required: ['workspace_id', 'key'],
  additionalProperties: false,
  properties: {
    workspace_id: { type: 'string', minLength: 1, maxLength: 64 },
    key: { type: 'string', maxLength: 4096 },
  },
} as const

export const revokeLinksResponse = {
  type: 'object',
  required: ['workspace_id', 'key', 'revoked_at'],
  additionalProperties: false,
  properties: {
    workspace_id: { type: 'string' },
    key: { type: 'string' },
    revoked_at: { ...timestamp, description: 'Links issued before this no longer work.' },
  },
} as const

/** GET /v1/audit: a page of events (named, so the packaged client's typings carry them). */
export type AuditPage = Wire<typeof auditResponse>
export type AuditEvent = AuditPage['events'][number]
/** POST /v1/files/revoke-links. */
export type RevokedLinks = Wire<typeof revokeLinksResponse>
