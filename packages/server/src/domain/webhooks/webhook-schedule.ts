/**
 * When a failed delivery is tried again: exponential backoff (30 s, 1 min, 2 min, ... capped at
 * 2 h between attempts) with "equal jitter" (half the delay fixed, half random), so receivers
 * coming back after an outage are not hit by every process at the same instant; after 24 h
 * from the event the delivery is marked failed.
 */
import type { WebhookEvent } from '@granary/protocol'
import type { AuditAction } from '../audit.ts'
import type { SourceEvent } from './webhook-ports.ts'

export const FIRST_RETRY_MS = 30_000
export const MAX_RETRY_MS = 2 * 3600_000
export const GIVE_UP_AFTER_MS = 24 * 3600_000

/** The wait after the `attempts`-th failed attempt; `random` in [0, 1). */
export function retryDelayMs(attempts: number, random: number = Math.random()): number {
  const exponential = FIRST_RETRY_MS * 2 ** Math.max(0, attempts - 1)
  const capped = Math.min(MAX_RETRY_MS, exponential)
  return Math.round(capped / 2 + (capped / 2) * random)
}

/** The next attempt's time, or null when it would come after the 24 h from `createdAt`. */
export function nextAttemptAt(options: {
  createdAt: string
  now: number
  attempts: number
  random?: number
}): string | null {
  const next = options.now + retryDelayMs(options.attempts, options.random)
  return next - Date.parse(options.createdAt) > GIVE_UP_AFTER_MS
    ? null
    : new Date(next).toISOString()
}

/** Audit actions that webhooks announce, and under which event name. */
const EVENT_OF_ACTION: Readonly<Partial<Record<AuditAction, WebhookEvent>>> = {
  'file.upload': 'file.created',
  'file.replace': 'file.replaced',
  'file.delete': 'file.deleted',
  'file.restore': 'file.restored',
  'upload.fail': 'upload.failed',
}

/** The webhook event an event of the log is, if any (only changes that happened: outcome ok). */
export function webhookEventOf(event: SourceEvent): WebhookEvent | undefined {
  return event.outcome === 'ok' ? EVENT_OF_ACTION[event.action as AuditAction] : undefined
}

/** The audit actions webhooks read (the feed asks only for these). */
export const ANNOUNCED_ACTIONS = Object.keys(EVENT_OF_ACTION) as AuditAction[]

/**
 * The body every attempt of a delivery sends, in the Standard Webhooks shape
 * (`type`, `timestamp`, `data`); snake_case like the rest of the wire.
 */
export function deliveryPayload(type: WebhookEvent, event: SourceEvent): string {
  return JSON.stringify({
    type,
    timestamp: event.at,
    data: {
      event_id: event.id,
      workspace_id: event.workspaceId,
      key: event.key,
      version_id: event.versionId,
      size: event.size,
    },
  })
}
