/**
 * The background work of webhooks, safe to run in every process at once:
 * - `dispatch` reads the event log after the stored cursor and creates one delivery per matching
 *   webhook and event (the store ignores a duplicate, so racing processes create each once);
 * - `deliverDue` leases due deliveries (one process each), sends them signed per Standard
 *   Webhooks, and records the outcome: delivered on 2xx, else retried with backoff for 24 h.
 * A process that dies mid-attempt leaves a lease that lapses, and another process sends it again:
 * delivery is at least once, and receivers dedupe by `webhook-id`.
 */
import { Webhook } from 'standardwebhooks'
import { type Clock, isoNow } from '../clock.ts'
import { randomId } from '../ids.ts'
import type {
  AttemptResult,
  ClaimedDelivery,
  Delivery,
  EventFeed,
  SendOutcome,
  SourceEvent,
  WebhookRecord,
  WebhookSender,
  WebhookStore,
} from './webhook-ports.ts'
import { deliveryPayload, nextAttemptAt, webhookEventOf } from './webhook-schedule.ts'

/** A lease outlives the 10 s send timeout with room to record the outcome. */
export const LEASE_MS = 60_000

export interface WebhookWorkerOptions {
  store: WebhookStore
  feed: EventFeed
  sender: WebhookSender
  clock: Clock
  /**
   * Real time, for the `webhook-timestamp` receivers check against their own clocks (a test's
   * moved clock schedules retries; signatures still carry the time they are sent at).
   */
  wallClock: Clock
  /** Events read per dispatch, deliveries leased per round (default 100, 20). */
  eventBatch?: number
  deliveryBatch?: number
  /** Jitter source, [0, 1); tests pass a fixed one. */
  random?: () => number
}

export interface WorkerReport {
  created: number
  delivered: number
  retried: number
  failed: number
}

export class WebhookWorker {
  readonly #store: WebhookStore
  readonly #feed: EventFeed
  readonly #sender: WebhookSender
  readonly #clock: Clock
  readonly #wallClock: Clock
  readonly #eventBatch: number
  readonly #deliveryBatch: number
  readonly #random: () => number
  /** Who holds a lease: this worker, in this process. */
  readonly #owner = `worker_${randomId(12)}`

  constructor(options: WebhookWorkerOptions) {
    this.#store = options.store
    this.#feed = options.feed
    this.#sender = options.sender
    this.#clock = options.clock
    this.#wallClock = options.wallClock
    this.#eventBatch = options.eventBatch ?? 100
    this.#deliveryBatch = options.deliveryBatch ?? 20
    this.#random = options.random ?? Math.random
  }

  /** One round: new events become deliveries, then due deliveries are sent. */
  async runOnce(): Promise<WorkerReport> {
    const created = await this.dispatch()
    return { created, ...(await this.deliverDue()) }
  }

  /** Turns every event after the cursor into deliveries; answers how many were created. */
  async dispatch(): Promise<number> {
    let created = 0
    for (;;) {
      const cursor = await this.#store.readCursor()
      const events = await this.#feed.eventsAfter(cursor, this.#eventBatch)
      const last = events.at(-1)
      if (!last) return created
      const webhooks = await this.#store.listWebhooks()
      const deliveries = events.flatMap((event) => this.#deliveriesOf(event, webhooks))
      await this.#store.addDeliveries(deliveries, last.seq)
      created += deliveries.length
      if (events.length < this.#eventBatch) return created
    }
  }

  /** Sends the deliveries due now (those this worker leases), all at once. */
  async deliverDue(): Promise<Omit<WorkerReport, 'created'>> {
    const now = this.#clock.now()
    const claimed = await this.#store.claimDue({
      now: new Date(now).toISOString(),
      leaseUntil: new Date(now + LEASE_MS).toISOString(),
      owner: this.#owner,
      limit: this.#deliveryBatch,
    })
    const results = await Promise.all(claimed.map((delivery) => this.#attempt(delivery)))
    return {
      delivered: results.filter((r) => r.status === 'delivered').length,
      retried: results.filter((r) => r.status === 'pending').length,
      failed: results.filter((r) => r.status === 'failed').length,
    }
  }

  #deliveriesOf(event: SourceEvent, webhooks: readonly WebhookRecord[]): Delivery[] {
    const type = webhookEventOf(event)
    if (!type) return []
    return webhooks
      .filter(
        (hook) =>
          hook.workspaceId === event.workspaceId &&
          hook.events.includes(type) &&
          // A webhook hears what happens after it was registered, not the log's past.
          event.at >= hook.createdAt,
      )
      .map((hook) => ({
        id: `whd_${randomId(20)}`,
        webhookId: hook.id,
        eventId: event.id,
        event: type,
        payload: deliveryPayload(type, event),
        status: 'pending',
        attempts: 0,
        nextAttemptAt: isoNow(this.#clock),
        lastAttemptAt: null,
        lastStatus: null,
        lastError: null,
        createdAt: isoNow(this.#clock),
        deliveredAt: null,
      }))
  }

  async #attempt(delivery: ClaimedDelivery): Promise<AttemptResult> {
    const now = this.#clock.now()
    const outcome = await this.#send(delivery)
    const attempts = delivery.attempts + 1
    const at = new Date(now).toISOString()
    const result: AttemptResult = outcome.ok
      ? {
          status: 'delivered',
          attempts,
          at,
          nextAttemptAt: null,
          lastStatus: outcome.status,
          lastError: null,
        }
      : this.#failure(delivery, outcome, { attempts, at, now })
    await this.#store.recordAttempt(delivery.id, this.#owner, result)
    return result
  }

  #failure(
    delivery: ClaimedDelivery,
    outcome: Extract<SendOutcome, { ok: false }>,
    attempt: { attempts: number; at: string; now: number },
  ): AttemptResult {
    const next = nextAttemptAt({
      createdAt: delivery.createdAt,
      now: attempt.now,
      attempts: attempt.attempts,
      random: this.#random(),
    })
    return {
      status: next ? 'pending' : 'failed',
      attempts: attempt.attempts,
      at: attempt.at,
      nextAttemptAt: next,
      lastStatus: outcome.status,
      lastError: outcome.error,
    }
  }

  /** Signs (Standard Webhooks: HMAC-SHA256 of `id.timestamp.body`) and sends one attempt. */
  #send(delivery: ClaimedDelivery): Promise<SendOutcome> {
    const now = this.#wallClock.now()
    const timestamp = new Date(now)
    const signature = new Webhook(delivery.secret).sign(delivery.id, timestamp, delivery.payload)
    return this.#sender.send({
      url: delivery.url,
      body: delivery.payload,
      headers: {
        'content-type': 'application/json',
        'webhook-id': delivery.id,
        'webhook-timestamp': String(Math.floor(now / 1000)),
        'webhook-signature': signature,
      },
    })
  }
}
