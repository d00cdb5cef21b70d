/**
 * The audit log's SQL, shared by both databases. `writeEvents` runs inside the transaction of the
 * change it records (call it last, see SqlDialect.lockEventLog); nothing here updates an event.
 */
import type { Kysely, Selectable, Transaction } from 'kysely'
import type {
  AuditAction,
  AuditContext,
  AuditEvent,
  AuditFacts,
  AuditOutcome,
  AuditQuery,
} from '../domain/audit.ts'
import { randomId } from '../domain/ids.ts'
import { prefixUpperBound } from '../domain/keys.ts'
import type { AuditEventsTable, Database } from './schema.ts'
import type { SqlDialect } from './sql-dialect.ts'

/** Appends one event per fact, in this transaction, after queueing it for commit order. */
export async function writeEvents(
  trx: Transaction<Database>,
  dialect: SqlDialect,
  context: AuditContext | undefined,
  facts: readonly AuditFacts[],
): Promise<void> {
  if (!context || facts.length === 0) return
  await dialect.lockEventLog(trx)
  await trx
    .insertInto('audit_events')
    .values(facts.map((fact) => eventRow(context, fact)))
    .execute()
}

function eventRow(context: AuditContext, fact: AuditFacts) {
  return {
    id: `ev_${randomId(20)}`,
    at: context.at,
    actor_key_id: context.actorKeyId,
    actor_key_name: context.actorKeyName,
    action: fact.action,
    workspace_id: fact.workspaceId,
    key: fact.key,
    version_id: fact.versionId,
    size: fact.size,
    ip: context.ip,
    request_id: context.requestId,
    outcome: fact.outcome,
  }
}

export async function listEvents(db: Kysely<Database>, query: AuditQuery): Promise<AuditEvent[]> {
  if (query.limit <= 0 || query.workspaceIds?.length === 0) return []
  let select = db.selectFrom('audit_events').selectAll()
  if (query.workspaceIds) select = select.where('workspace_id', 'in', [...query.workspaceIds])
  if (query.since) select = select.where('at', '>=', query.since)
  if (query.until) select = select.where('at', '<', query.until)
  if (query.actions) select = select.where('action', 'in', [...query.actions])
  if (query.actorKeyId) select = select.where('actor_key_id', '=', query.actorKeyId)
  if (query.keyPrefix) {
    select = select.where('key', '>=', query.keyPrefix)
    const upper = prefixUpperBound(query.keyPrefix)
    if (upper !== undefined) select = select.where('key', '<', upper)
  }
  if (query.cursor !== undefined) {
    select = select.where('seq', query.order === 'asc' ? '>' : '<', query.cursor)
  }
  const rows = await select.orderBy('seq', query.order).limit(query.limit).execute()
  return rows.map(auditEvent)
}

export async function purgeEvents(db: Kysely<Database>, before: string): Promise<number> {
  const result = await db.deleteFrom('audit_events').where('at', '<', before).executeTakeFirst()
  return Number(result.numDeletedRows)
}

function auditEvent(row: Selectable<AuditEventsTable>): AuditEvent {
  return {
    seq: Number(row.seq),
    id: row.id,
    at: row.at,
    actorKeyId: row.actor_key_id,
    actorKeyName: row.actor_key_name,
    action: row.action as AuditAction,
    workspaceId: row.workspace_id,
    key: row.key,
    versionId: row.version_id,
    size: row.size === null ? null : Number(row.size),
    ip: row.ip,
    requestId: row.request_id,
    outcome: row.outcome as AuditOutcome,
  }
}
