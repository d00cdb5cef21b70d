/**
 * The audit trail: who changed what, when, from where. Every mutating call hands the metadata
 * store an `AuditContext` (built from the calling principal and its request); the store writes
 * the event in the same transaction as the change it describes, so a rolled-back change leaves
 * no event and a committed one always has its event. The same log is the webhooks' outbox: its
 * `seq` only grows, in commit order, on both databases (see docs/ARCHITECTURE.md, "Audit trail").
 */
import type { AuditAction } from '@granary/protocol'
import type { Principal } from './auth.ts'
import type { Clock } from './clock.ts'
import { isoNow } from './clock.ts'

export type { AuditAction }

/** `ok`: the change committed. `denied`: an authenticated key was refused (scope or workspace). */
export type AuditOutcome = 'ok' | 'denied'

/** Who acts, from where, in which request, and when: what every event of one call shares. */
export interface AuditContext {
  /** null for the server itself (bootstrap, the reaper). */
  readonly actorKeyId: string | null
  readonly actorKeyName: string | null
  readonly ip: string | null
  readonly requestId: string | null
  /** ISO 8601, from the domain's clock. */
  readonly at: string
}

/** What one event says about the change; the store adds the context, `id` and `seq`. */
export interface AuditFacts {
  action: AuditAction
  workspaceId: string | null
  key: string | null
  versionId: string | null
  size: number | null
  outcome: AuditOutcome
}

/** One stored event. Never holds a secret, a signature or a URL. */
export interface AuditEvent extends AuditFacts {
  /** Grows with every event, in commit order: the cursor of readers and of the webhook outbox. */
  seq: number
  /** `ev_...`, stable: webhook deliveries use it as their `webhook-id`. */
  id: string
  at: string
  actorKeyId: string | null
  actorKeyName: string | null
  ip: string | null
  requestId: string | null
}

/** A page of the log: filters are ANDed; `order` asc reads forward from `afterSeq`. */
export interface AuditQuery {
  workspaceIds?: readonly string[]
  since?: string
  until?: string
  actions?: readonly AuditAction[]
  keyPrefix?: string
  actorKeyId?: string
  /** asc: events with seq > cursor; desc: seq < cursor. */
  cursor?: number
  order: 'asc' | 'desc'
  limit: number
}

/** The audit log as the metadata store keeps it. Append-only: nothing here edits an event. */
export interface AuditLog {
  /** Appends events that go with no other change (a link issued, a denied attempt). */
  appendEvents(context: AuditContext, facts: readonly AuditFacts[]): Promise<void>
  /** Events matching the query, ordered by seq. */
  listEvents(query: AuditQuery): Promise<AuditEvent[]>
  /** Drops events older than `before` (retention); answers how many. */
  purgeEvents(before: string): Promise<number>
}

/** The option every mutating store method takes: with it, the store records the change. */
export interface Audited {
  audit?: AuditContext
}

/** Where a request came from, as the HTTP layer saw it. */
export interface RequestOrigin {
  readonly ip: string
  readonly requestId: string
}

/** The context of a call made by `principal`, at the clock's time. */
export function auditContext(principal: Principal | null, clock: Clock): AuditContext {
  return {
    actorKeyId: principal?.keyId ?? null,
    actorKeyName: principal?.keyName ?? null,
    ip: principal?.origin?.ip ?? null,
    requestId: principal?.origin?.requestId ?? null,
    at: isoNow(clock),
  }
}

/** The version part of a blob name (`<workspace>/<version>/<key>`), or null for another shape. */
export function versionOfBlob(blobName: string): string | null {
  const [, version] = blobName.split('/', 3)
  return version ?? null
}

/** Facts about a file version (its key, version and size). */
export function fileFacts(
  action: AuditAction,
  file: { workspaceId: string; key: string; blobName: string; size: number },
  outcome: AuditOutcome = 'ok',
): AuditFacts {
  return {
    action,
    workspaceId: file.workspaceId,
    key: file.key,
    versionId: versionOfBlob(file.blobName),
    size: file.size,
    outcome,
  }
}

/** Facts with only some fields known. */
export function facts(
  action: AuditAction,
  known: Partial<Omit<AuditFacts, 'action'>> = {},
): AuditFacts {
  return {
    action,
    workspaceId: known.workspaceId ?? null,
    key: known.key ?? null,
    versionId: known.versionId ?? null,
    size: known.size ?? null,
    outcome: known.outcome ?? 'ok',
  }
}
