/** Webhooks as an admin manages them: register (the secret is answered once), list, delete, retry. */
import { randomBytes } from 'node:crypto'
import type { WebhookEvent } from '@granary/protocol'
import { type Principal, requirePermission, requireWorkspace } from '../auth.ts'
import { type Clock, isoNow } from '../clock.ts'
import { AppError } from '../errors.ts'
import { randomId } from '../ids.ts'
import type { MetadataStore } from '../ports.ts'
import type {
  Delivery,
  DeliveryStatus,
  WebhookRecord,
  WebhookSender,
  WebhookStore,
} from './webhook-ports.ts'

export interface NewWebhook {
  workspaceId: string
  url: string
  events: readonly WebhookEvent[]
}

export interface WebhookServiceOptions {
  store: WebhookStore
  metadata: MetadataStore
  sender: WebhookSender
  clock: Clock
}

export class WebhookService {
  readonly #store: WebhookStore
  readonly #metadata: MetadataStore
  readonly #sender: WebhookSender
  readonly #clock: Clock

  constructor(options: WebhookServiceOptions) {
    this.#store = options.store
    this.#metadata = options.metadata
    this.#sender = options.sender
    this.#clock = options.clock
  }

  /** Registers a webhook; the answer is the only time its secret leaves the server. */
  async create(principal: Principal, request: NewWebhook): Promise<WebhookRecord> {
    requirePermission(principal, 'admin')
    await requireWorkspace(this.#metadata, principal, request.workspaceId)
    await this.#sender.checkTarget(request.url)
    const webhook: WebhookRecord = {
      id: `wh_${randomId(16)}`,
      workspaceId: request.workspaceId,
      url: request.url,
      events: [...new Set(request.events)],
      // Standard Webhooks: 'whsec_' + base64 of 24 to 64 random bytes.
      secret: `whsec_${randomBytes(32).toString('base64')}`,
      createdAt: isoNow(this.#clock),
    }
    await this.#store.createWebhook(webhook)
    return webhook
  }

  async list(principal: Principal, workspaceId?: string): Promise<WebhookRecord[]> {
    requirePermission(principal, 'admin')
    return this.#store.listWebhooks(workspaceId)
  }

  async delete(principal: Principal, id: string): Promise<void> {
    requirePermission(principal, 'admin')
    if (!(await this.#store.deleteWebhook(id))) throw notFound(id)
  }

  async deliveries(
    principal: Principal,
    webhookId: string,
    options: { status?: DeliveryStatus; limit: number },
  ): Promise<Delivery[]> {
    requirePermission(principal, 'admin')
    if (!(await this.#store.getWebhook(webhookId))) throw notFound(webhookId)
    return this.#store.listDeliveries(webhookId, options)
  }

  /** Sends a delivery again as soon as a worker runs (pending, due now), whatever its state. */
  async retry(principal: Principal, webhookId: string, deliveryId: string): Promise<Delivery> {
    requirePermission(principal, 'admin')
    if (!(await this.#store.getWebhook(webhookId))) throw notFound(webhookId)
    const delivery = await this.#store.requeue(webhookId, deliveryId, isoNow(this.#clock))
    if (!delivery) {
      throw new AppError(
        'webhook_delivery_not_found',
        `Webhook '${webhookId}' has no delivery '${deliveryId}'; list them with GET /v1/webhooks/${webhookId}/deliveries.`,
      )
    }
    return delivery
  }
}

function notFound(id: string): AppError {
  return new AppError('webhook_not_found', `No webhook '${id}'; list them with GET /v1/webhooks.`)
}
