import type { CreatedWebhook, WebhookDelivery, WebhookEvent, WebhookInfo } from '@granary/protocol'
import type { Transport } from './transport.ts'

export interface CreateWebhookOptions {
  workspaceId: string
  /** Where Granary POSTs the signed notifications (a public http(s) URL). */
  url: string
  events: WebhookEvent[]
  signal?: AbortSignal
}

/** Webhooks (admin scope): `client.webhooks`. */
export class Webhooks {
  readonly #transport: Transport

  constructor(transport: Transport) {
    this.#transport = transport
  }

  /**
   * Registers a webhook; its signing `secret` is in this answer only.
   *
   * @example
   * const hook = await admin.webhooks.create({
   *   workspaceId: 'ws_lab', url: 'https://ci.example.org/granary', events: ['file.created'],
   * })
   * console.log(hook.secret) // whsec_...: verify webhook-signature with it
   */
  create(options: CreateWebhookOptions): Promise<CreatedWebhook> {
    const { workspaceId, url, events, signal } = options
    const json = { workspace_id: workspaceId, url, events }
    return this.#transport.json('POST', '/v1/webhooks', { json, signal })
  }

  /**
   * Every webhook, or one workspace's (never the secrets).
   *
   * @example
   * for (const hook of await admin.webhooks.list({ workspaceId: 'ws_lab' })) console.log(hook.url)
   */
  async list(options: { workspaceId?: string; signal?: AbortSignal } = {}): Promise<WebhookInfo[]> {
    const answer = await this.#transport.json<{ webhooks: WebhookInfo[] }>('GET', '/v1/webhooks', {
      query: { workspace_id: options.workspaceId },
      signal: options.signal,
    })
    return answer.webhooks
  }

  /**
   * Deletes a webhook and its deliveries; `webhook_not_found` if there is none.
   *
   * @example
   * await admin.webhooks.delete('wh_123')
   */
  async delete(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#transport.json('DELETE', `/v1/webhooks/${encodeURIComponent(id)}`, options)
  }

  /**
   * A webhook's deliveries, newest first.
   *
   * @example
   * const failed = await admin.webhooks.deliveries('wh_123', { status: 'failed' })
   */
  async deliveries(
    id: string,
    options: { status?: WebhookDelivery['status']; limit?: number; signal?: AbortSignal } = {},
  ): Promise<WebhookDelivery[]> {
    const answer = await this.#transport.json<{ deliveries: WebhookDelivery[] }>(
      'GET',
      `/v1/webhooks/${encodeURIComponent(id)}/deliveries`,
      { query: { status: options.status, limit: options.limit }, signal: options.signal },
    )
    return answer.deliveries
  }

  /**
   * Sends a delivery again as soon as a worker runs (also one that failed).
   *
   * @example
   * await admin.webhooks.retry('wh_123', 'whd_456')
   */
  retry(
    id: string,
    deliveryId: string,
    options: { signal?: AbortSignal } = {},
  ): Promise<WebhookDelivery> {
    const path = `/v1/webhooks/${encodeURIComponent(id)}/deliveries/${encodeURIComponent(deliveryId)}/retry`
    return this.#transport.json('POST', path, options)
  }
}
