/** The audit trail on the wire (snake_case), beside presenters.ts for the rest of the API. */
import type { auditResponse, revokeLinksResponse, Wire } from '@granary/protocol'
import type { AuditEvent } from '../domain/audit.ts'
import type { AuditPage } from '../domain/audit-service.ts'

type WireAuditEvent = Wire<typeof auditResponse>['events'][number]

export function toAuditEvent(event: AuditEvent): WireAuditEvent {
  return {
    id: event.id,
    seq: event.seq,
    at: event.at,
    actor_key_id: event.actorKeyId,
    actor_key_name: event.actorKeyName,
    action: event.action,
    workspace_id: event.workspaceId,
    key: event.key,
    version_id: event.versionId,
    size: event.size,
    ip: event.ip,
    request_id: event.requestId,
    outcome: event.outcome,
  }
}

export function toAuditPage(page: AuditPage): Wire<typeof auditResponse> {
  return { events: page.events.map(toAuditEvent), next_cursor: page.nextCursor }
}

export function toRevokedLinks(revoked: {
  workspaceId: string
  key: string
  revokedAt: string
}): Wire<typeof revokeLinksResponse> {
  return { workspace_id: revoked.workspaceId, key: revoked.key, revoked_at: revoked.revokedAt }
}
