/**
 * Webhooks: what the domain keeps and what it needs. A webhook subscribes one workspace's events
 * to a URL; a delivery is one event for one webhook, sent until the receiver answers 2xx or 24 h
 * have passed. The metadata store keeps both (metadata/webhook-store.ts); the events come from
 * the audit log, which is written in the same transaction as each change (the outbox).
 */
import type { WebhookEvent } from '@granary/protocol'

export interface WebhookRecord {
  readonly id: string
  readonly workspaceId: string
  readonly url: string
  readonly events: readonly WebhookEvent[]
  /** The Standard Webhooks signing secret (`whsec_` + base64); never answered after creation. */
  readonly secret: string
  readonly createdAt: string
}

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

export interface Delivery {
  /** `whd_...`: the `webhook-id` header, the same on every attempt (receivers dedupe by it). */
  readonly id: string
  readonly webhookId: string
  readonly eventId: string
  readonly event: WebhookEvent
  /** The JSON body, fixed when the delivery is created so every attempt sends the same bytes. */
  readonly payload: string
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly nextAttemptAt: string | null
  readonly lastAttemptAt: string | null
  readonly lastStatus: number | null
  readonly lastError: string | null
  readonly createdAt: string
  readonly deliveredAt: string | null
}

/** A delivery a worker holds the lease of, with where to send it and how to sign it. */
export interface ClaimedDelivery extends Delivery {
  readonly url: string
  readonly secret: string
}

/** What one attempt changed: the next state of the delivery. */
export interface AttemptResult {
  readonly status: DeliveryStatus
  readonly attempts: number
  readonly at: string
  readonly nextAttemptAt: string | null
  readonly lastStatus: number | null
  readonly lastError: string | null
}

/** An event of the log, as webhooks read it (domain/audit.ts's AuditEvent fits). */
export interface SourceEvent {
  readonly seq: number
  readonly id: string
  readonly at: string
  readonly action: string
  readonly workspaceId: string | null
  readonly key: string | null
  readonly versionId: string | null
  readonly size: number | null
  readonly outcome: string
}

/** The event log read forward (the outbox). */
export interface EventFeed {
  /** Events with seq > `seq`, in seq order, at most `limit`. */
  eventsAfter(seq: number, limit: number): Promise<SourceEvent[]>
}

/** Webhooks and their deliveries in the metadata store. Every method is atomic. */
export interface WebhookStore {
  createWebhook(webhook: WebhookRecord): Promise<void>
  getWebhook(id: string): Promise<WebhookRecord | undefined>
  /** Every webhook, or one workspace's, oldest first. */
  listWebhooks(workspaceId?: string): Promise<WebhookRecord[]>
  /** Deletes the webhook and its deliveries; false when there was none. */
  deleteWebhook(id: string): Promise<boolean>
  /** The seq of the last event turned into deliveries (0 before the first). */
  readCursor(): Promise<number>
  /**
   * In one transaction: inserts the deliveries (one per webhook and event: a duplicate is
   * ignored, so racing dispatchers create each once) and moves the cursor up to `cursor`.
   */
  addDeliveries(deliveries: readonly Delivery[], cursor: number): Promise<void>
  /** A webhook's deliveries, newest first. */
  listDeliveries(
    webhookId: string,
    options: { status?: DeliveryStatus; limit: number },
  ): Promise<Delivery[]>
  getDelivery(webhookId: string, id: string): Promise<Delivery | undefined>
  /**
   * Leases up to `limit` pending deliveries due at `now` whose lease is free or lapsed, each to
   * one caller only (a conditional update), until `leaseUntil`.
   */
  claimDue(options: {
    now: string
    leaseUntil: string
    owner: string
    limit: number
  }): Promise<ClaimedDelivery[]>
  /** Records an attempt and frees the lease; ignored when `owner` no longer holds it. */
  recordAttempt(id: string, owner: string, result: AttemptResult): Promise<void>
  /** Makes a delivery pending and due at `now` (a manual retry); undefined when absent. */
  requeue(webhookId: string, id: string, now: string): Promise<Delivery | undefined>
  /** Deliveries still pending (the backlog, for /metrics). */
  countPending(): Promise<number>
}

/** What the receiver did with one attempt. */
export type SendOutcome =
  | { readonly ok: true; readonly status: number }
  | { readonly ok: false; readonly status: number | null; readonly error: string }

/** Sends one signed request (http adapter: SSRF guard, no redirects, a timeout). */
export interface WebhookSender {
  send(request: {
    url: string
    headers: Readonly<Record<string, string>>
    body: string
    signal?: AbortSignal
  }): Promise<SendOutcome>
  /** Throws webhook_url_refused for a URL deliveries would refuse (checked at creation). */
  checkTarget(url: string): Promise<void>
}
