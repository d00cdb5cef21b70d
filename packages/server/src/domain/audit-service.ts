/**
 * Reading the audit trail (GET /v1/audit), its retention, and recording refused attempts.
 * Writing the events of changes is the metadata store's job, in each change's transaction.
 */
import { AUDIT_ACTIONS, type AuditAction } from '@granary/protocol'
import type { AuditEvent, AuditFacts, AuditLog, AuditQuery } from './audit.ts'
import { auditContext, facts } from './audit.ts'
import { type Principal, requirePermission, requireWorkspace } from './auth.ts'
import type { Clock } from './clock.ts'
import { AppError, isAppError } from './errors.ts'
import { isWorkspaceId } from './ids.ts'
import type { MetadataStore } from './ports.ts'

export interface AuditListRequest {
  workspaceId?: string
  since?: string
  until?: string
  /** One action, or several separated by commas. */
  action?: string
  keyPrefix?: string
  actorKeyId?: string
  limit: number
  cursor?: string
  order: 'asc' | 'desc'
}

export interface AuditPage {
  events: AuditEvent[]
  /** The last event's seq when the page is full; null on the last page. */
  nextCursor: string | null
}

export interface AuditServiceOptions {
  clock: Clock
  /** Events older than this many days are purged (GRANARY_AUDIT_DAYS). */
  retentionDays: number
}

const DAY_MS = 24 * 3600_000

export class AuditService {
  readonly #metadata: MetadataStore
  readonly #options: AuditServiceOptions

  constructor(metadata: MetadataStore, options: AuditServiceOptions) {
    this.#metadata = metadata
    this.#options = options
  }

  /**
   * A page of events. An admin key (or an `audit:read` key for every workspace) sees them all;
   * an `audit:read` key limited to workspaces sees only theirs, never key or workspace creation.
   */
  async list(principal: Principal, request: AuditListRequest): Promise<AuditPage> {
    requirePermission(principal, 'audit:read')
    const workspaceIds = await this.#visibleWorkspaces(principal, request.workspaceId)
    const query: AuditQuery = {
      order: request.order,
      limit: request.limit,
      ...(workspaceIds ? { workspaceIds } : {}),
      ...(request.since ? { since: new Date(request.since).toISOString() } : {}),
      ...(request.until ? { until: new Date(request.until).toISOString() } : {}),
      ...(request.action ? { actions: parseActions(request.action) } : {}),
      ...(request.keyPrefix ? { keyPrefix: request.keyPrefix } : {}),
      ...(request.actorKeyId ? { actorKeyId: request.actorKeyId } : {}),
      ...(request.cursor ? { cursor: Number(request.cursor) } : {}),
    }
    const events = await this.#metadata.listEvents(query)
    const last = events.at(-1)
    return { events, nextCursor: events.length === request.limit && last ? String(last.seq) : null }
  }

  async #visibleWorkspaces(
    principal: Principal,
    workspaceId: string | undefined,
  ): Promise<readonly string[] | undefined> {
    if (workspaceId !== undefined) {
      await requireWorkspace(this.#metadata, principal, workspaceId)
      return [workspaceId]
    }
    return principal.workspaceIds ?? undefined
  }

  /** Records a refused attempt (the HTTP auth hook calls it for scopes it refuses). */
  recordDenied(principal: Principal, attempt: AuditFacts): Promise<void> {
    return recordDenial(this.#metadata, this.#options.clock, principal, attempt)
  }

  /** Drops events past the retention period (the background loop calls it). */
  purgeExpired(): Promise<number> {
    const cutoff = this.#options.clock.now() - this.#options.retentionDays * DAY_MS
    return this.#metadata.purgeEvents(new Date(cutoff).toISOString())
  }
}

function parseActions(list: string): AuditAction[] {
  const actions = list.split(',').map((action) => action.trim())
  for (const action of actions) {
    if (!(AUDIT_ACTIONS as readonly string[]).includes(action)) {
      throw new AppError(
        'invalid_request',
        `Unknown audit action '${action}'; use one of ${AUDIT_ACTIONS.join(', ')}.`,
      )
    }
  }
  return actions as AuditAction[]
}

/** Refusals worth recording: an authenticated key asking for what it may not do. */
const DENIALS = ['insufficient_scope', 'workspace_not_found'] as const

/**
 * Runs `work`; if it is refused because the key lacks the scope or the workspace, records a
 * `denied` event (who tried what, on which file) before passing the refusal on. Workspace ids of
 * a shape we never issue are not recorded.
 */
export async function recordingDenials<T>(
  log: AuditLog,
  clock: Clock,
  principal: Principal,
  attempt: AuditFacts,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (DENIALS.some((code) => isAppError(error, code))) {
      await recordDenial(log, clock, principal, attempt)
    }
    throw error
  }
}

/** Appends a `denied` event for `attempt`. */
export async function recordDenial(
  log: AuditLog,
  clock: Clock,
  principal: Principal,
  attempt: AuditFacts,
): Promise<void> {
  const workspaceId =
    attempt.workspaceId && isWorkspaceId(attempt.workspaceId) ? attempt.workspaceId : null
  await log.appendEvents(auditContext(principal, clock), [
    facts(attempt.action, { ...attempt, workspaceId, outcome: 'denied' }),
  ])
}
