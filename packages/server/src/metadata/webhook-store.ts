/**
 * Webhooks and deliveries in SQL, shared by both databases (migration 0009). Leases are taken by
 * a conditional UPDATE per candidate, which both databases serialise on the row: of two workers
 * racing for one delivery, exactly one sees its update count 1.
 */
import type { WebhookEvent } from '@granary/protocol'
import type { Kysely, Selectable } from 'kysely'
import type {
  AttemptResult,
  ClaimedDelivery,
  Delivery,
  DeliveryStatus,
  WebhookRecord,
  WebhookStore,
} from '../domain/webhooks/webhook-ports.ts'

export interface WebhooksTable {
  id: string
  workspace_id: string
  url: string
  /** Comma-separated event names. */
  events: string
  secret: string
  created_at: string
}

export interface WebhookDeliveriesTable {
  id: string
  webhook_id: string
  event_id: string
  event: string
  payload: string
  status: string
  attempts: number
  next_attempt_at: string | null
  last_attempt_at: string | null
  last_status: number | null
  last_error: string | null
  lease_owner: string | null
  lease_until: string | null
  created_at: string
  delivered_at: string | null
}

export interface WebhookCursorTable {
  name: string
  seq: number | string
}

export interface WebhookTables {
  webhooks: WebhooksTable
  webhook_deliveries: WebhookDeliveriesTable
  webhook_cursor: WebhookCursorTable
}

/** Runs a query with the metadata store's error translation. */
export type Run = <T>(work: (db: Kysely<WebhookTables>) => Promise<T>) => Promise<T>

const CURSOR = 'audit_events'
/** An error message kept in a delivery is cut to this length. */
const MAX_ERROR = 500

export class KyselyWebhookStore implements WebhookStore {
  readonly #run: Run

  constructor(run: Run) {
    this.#run = run
  }

  createWebhook(webhook: WebhookRecord): Promise<void> {
    return this.#run(async (db) => {
      await db
        .insertInto('webhooks')
        .values({
          id: webhook.id,
          workspace_id: webhook.workspaceId,
          url: webhook.url,
          events: webhook.events.join(','),
          secret: webhook.secret,
          created_at: webhook.createdAt,
        })
        .execute()
    })
  }

  getWebhook(id: string): Promise<WebhookRecord | undefined> {
    return this.#run(async (db) => {
      const row = await db
        .selectFrom('webhooks')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirst()
      return row && webhookRecord(row)
    })
  }

  listWebhooks(workspaceId?: string): Promise<WebhookRecord[]> {
    return this.#run(async (db) => {
      let query = db.selectFrom('webhooks').selectAll()
      if (workspaceId !== undefined) query = query.where('workspace_id', '=', workspaceId)
      const rows = await query.orderBy('created_at').orderBy('id').execute()
      return rows.map(webhookRecord)
    })
  }

  deleteWebhook(id: string): Promise<boolean> {
    return this.#run((db) =>
      db.transaction().execute(async (trx) => {
        await trx.deleteFrom('webhook_deliveries').where('webhook_id', '=', id).execute()
        const result = await trx.deleteFrom('webhooks').where('id', '=', id).executeTakeFirst()
        return Number(result.numDeletedRows) > 0
      }),
    )
  }

  readCursor(): Promise<number> {
    return this.#run(async (db) => {
      const row = await db
        .selectFrom('webhook_cursor')
        .select('seq')
        .where('name', '=', CURSOR)
        .executeTakeFirst()
      return row ? Number(row.seq) : 0
    })
  }

  addDeliveries(deliveries: readonly Delivery[], cursor: number): Promise<void> {
    return this.#run((db) =>
      db.transaction().execute(async (trx) => {
        for (const delivery of deliveries) {
          await trx
            .insertInto('webhook_deliveries')
            .values(deliveryRow(delivery))
            .onConflict((c) => c.columns(['webhook_id', 'event_id']).doNothing())
            .execute()
        }
        // Only forward: a slower dispatcher never moves the cursor back.
        await trx
          .insertInto('webhook_cursor')
          .values({ name: CURSOR, seq: cursor })
          .onConflict((c) =>
            c.column('name').doUpdateSet({ seq: cursor }).where('webhook_cursor.seq', '<', cursor),
          )
          .execute()
      }),
    )
  }

  listDeliveries(
    webhookId: string,
    options: { status?: DeliveryStatus; limit: number },
  ): Promise<Delivery[]> {
    return this.#run(async (db) => {
      let query = db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', webhookId)
      if (options.status) query = query.where('status', '=', options.status)
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(options.limit)
        .execute()
      return rows.map(deliveryRecord)
    })
  }

  getDelivery(webhookId: string, id: string): Promise<Delivery | undefined> {
    return this.#run(async (db) => {
      const row = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('webhook_id', '=', webhookId)
        .where('id', '=', id)
        .executeTakeFirst()
      return row && deliveryRecord(row)
    })
  }

  claimDue(options: {
    now: string
    leaseUntil: string
    owner: string
    limit: number
  }): Promise<ClaimedDelivery[]> {
    return this.#run(async (db) => {
      const candidates = await db
        .selectFrom('webhook_deliveries')
        .select('id')
        .where('status', '=', 'pending')
        .where('next_attempt_at', '<=', options.now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', options.now)]))
        .orderBy('next_attempt_at')
        .limit(options.limit)
        .execute()
      const claimed: ClaimedDelivery[] = []
      for (const { id } of candidates) {
        const taken = await db
          .updateTable('webhook_deliveries')
          .set({ lease_owner: options.owner, lease_until: options.leaseUntil })
          .where('id', '=', id)
          .where('status', '=', 'pending')
          .where((eb) =>
            eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', options.now)]),
          )
          .executeTakeFirst()
        if (Number(taken.numUpdatedRows) !== 1) continue
        const row = await db
          .selectFrom('webhook_deliveries as d')
          .innerJoin('webhooks as w', 'w.id', 'd.webhook_id')
          .selectAll('d')
          .select(['w.url', 'w.secret'])
          .where('d.id', '=', id)
          .executeTakeFirst()
        if (row) claimed.push({ ...deliveryRecord(row), url: row.url, secret: row.secret })
      }
      return claimed
    })
  }

  recordAttempt(id: string, owner: string, result: AttemptResult): Promise<void> {
    return this.#run(async (db) => {
      await db
        .updateTable('webhook_deliveries')
        .set({
          status: result.status,
          attempts: result.attempts,
          last_attempt_at: result.at,
          next_attempt_at: result.nextAttemptAt,
          last_status: result.lastStatus,
          last_error: result.lastError?.slice(0, MAX_ERROR) ?? null,
          delivered_at: result.status === 'delivered' ? result.at : null,
          lease_owner: null,
          lease_until: null,
        })
        .where('id', '=', id)
        .where('lease_owner', '=', owner)
        .execute()
    })
  }

  requeue(webhookId: string, id: string, now: string): Promise<Delivery | undefined> {
    return this.#run(async (db) => {
      const result = await db
        .updateTable('webhook_deliveries')
        .set({ status: 'pending', next_attempt_at: now, lease_owner: null, lease_until: null })
        .where('webhook_id', '=', webhookId)
        .where('id', '=', id)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) return undefined
      const row = await db
        .selectFrom('webhook_deliveries')
        .selectAll()
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
      return deliveryRecord(row)
    })
  }

  countPending(): Promise<number> {
    return this.#run(async (db) => {
      const row = await db
        .selectFrom('webhook_deliveries')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow()
      return Number(row.count)
    })
  }
}

function webhookRecord(row: Selectable<WebhooksTable>): WebhookRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    url: row.url,
    events: row.events.split(',') as WebhookEvent[],
    secret: row.secret,
    createdAt: row.created_at,
  }
}

function deliveryRow(delivery: Delivery): WebhookDeliveriesTable {
  return {
    id: delivery.id,
    webhook_id: delivery.webhookId,
    event_id: delivery.eventId,
    event: delivery.event,
    payload: delivery.payload,
    status: delivery.status,
    attempts: delivery.attempts,
    next_attempt_at: delivery.nextAttemptAt,
    last_attempt_at: delivery.lastAttemptAt,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    lease_owner: null,
    lease_until: null,
    created_at: delivery.createdAt,
    delivered_at: delivery.deliveredAt,
  }
}

function deliveryRecord(row: Selectable<WebhookDeliveriesTable>): Delivery {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    eventId: row.event_id,
    event: row.event as WebhookEvent,
    payload: row.payload,
    status: row.status as DeliveryStatus,
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    lastStatus: row.last_status === null ? null : Number(row.last_status),
    lastError: row.last_error,
    createdAt: row.created_at,
    deliveredAt: row.delivered_at,
  }
}
