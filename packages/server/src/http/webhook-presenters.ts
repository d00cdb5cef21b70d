/** Webhooks and deliveries on the wire (snake_case); the secret only in the creation answer. */
import type { CreatedWebhook, WebhookDelivery, WebhookInfo } from '@granary/protocol'
import type { Delivery, WebhookRecord } from '../domain/webhooks/webhook-ports.ts'

export function toWebhook(webhook: WebhookRecord): WebhookInfo {
  return {
    id: webhook.id,
    workspace_id: webhook.workspaceId,
    url: webhook.url,
    events: [...webhook.events],
    created_at: webhook.createdAt,
  }
}

export function toCreatedWebhook(webhook: WebhookRecord): CreatedWebhook {
  return { ...toWebhook(webhook), secret: webhook.secret }
}

export function toDelivery(delivery: Delivery): WebhookDelivery {
  return {
    id: delivery.id,
    webhook_id: delivery.webhookId,
    event_id: delivery.eventId,
    event: delivery.event,
    status: delivery.status,
    attempts: delivery.attempts,
    next_attempt_at: delivery.nextAttemptAt,
    last_attempt_at: delivery.lastAttemptAt,
    last_status: delivery.lastStatus,
    last_error: delivery.lastError,
    created_at: delivery.createdAt,
    delivered_at: delivery.deliveredAt,
  }
}
