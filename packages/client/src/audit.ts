import type { AuditAction, AuditEvent, AuditPage, RevokedLinks } from '@granary/protocol'
import type { Transport } from './transport.ts'

export type { AuditEvent, AuditPage, RevokedLinks }

export interface AuditQueryOptions {
  workspaceId?: string
  /** Events at or after this time. */
  since?: string | Date
  /** Events before this time. */
  until?: string | Date
  /** One action or several. */
  action?: AuditAction | AuditAction[]
  keyPrefix?: string
  actorKeyId?: string
  limit?: number
  /** `nextCursor` of the previous page. */
  cursor?: string
  /** 'desc' (default): newest first; 'asc': oldest first. */
  order?: 'asc' | 'desc'
  signal?: AbortSignal
}

const iso = (date: string | Date | undefined) => (date instanceof Date ? date.toISOString() : date)

/** GET /v1/audit (scope `audit:read` or `admin`). */
export function readAudit(transport: Transport, options: AuditQueryOptions): Promise<AuditPage> {
  const { action, signal } = options
  const query = {
    workspace_id: options.workspaceId,
    since: iso(options.since),
    until: iso(options.until),
    action: Array.isArray(action) ? action.join(',') : action,
    key_prefix: options.keyPrefix,
    actor_key_id: options.actorKeyId,
    limit: options.limit,
    cursor: options.cursor,
    order: options.order,
  }
  return transport.json('GET', '/v1/audit', { query, signal })
}

/** POST /v1/files/revoke-links (scope `files:delete`). */
export function revokeLinks(
  transport: Transport,
  options: { workspaceId: string; key: string; signal?: AbortSignal },
): Promise<RevokedLinks> {
  const json = { workspace_id: options.workspaceId, key: options.key }
  return transport.json('POST', '/v1/files/revoke-links', { json, signal: options.signal })
}
