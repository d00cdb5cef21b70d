/**
 * Webhooks (issue #16): what an admin registers, what Granary sends, and the deliveries it keeps.
 * Self-contained schemas (no `$ref`), so adding them touches no shared list.
 */
import type { FromSchema } from 'json-schema-to-ts'

/** The events a webhook can subscribe to. */
export const WEBHOOK_EVENTS = [
  'file.created',
  'file.replaced',
  'file.deleted',
  'file.restored',
  'upload.failed',
] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const

const timestamp = { type: 'string', format: 'date-time' } as const
const nullableTimestamp = { type: ['string', 'null'], format: 'date-time' } as const
const events = {
  type: 'array',
  minItems: 1,
  uniqueItems: true,
  items: { type: 'string', enum: [...WEBHOOK_EVENTS] },
} as const

export const createWebhookBody = {
  type: 'object',
  required: ['workspace_id', 'url', 'events'],
  additionalProperties: false,
  properties: {
    workspace_id: { type: 'string', minLength: 1, maxLength: 64 },
    url: { type: 'string', minLength: 1, maxLength: 2000 },
    events,
  },
} as const

const webhookProperties = {
  id: { type: 'string' },
  workspace_id: { type: 'string' },
  url: { type: 'string' },
  events,
  created_at: timestamp,
} as const
const webhookRequired = ['id', 'workspace_id', 'url', 'events', 'created_at'] as const

export const webhookSchema = {
  type: 'object',
  required: webhookRequired,
  additionalProperties: false,
  properties: webhookProperties,
} as const

/** The answer to POST /v1/webhooks: the webhook and its signing secret, shown this once. */
export const createdWebhookSchema = {
  type: 'object',
  required: [...webhookRequired, 'secret'],
  additionalProperties: false,
  properties: {
    ...webhookProperties,
    secret: {
      type: 'string',
      description:
        'The Standard Webhooks signing secret (whsec_...), shown once: verify webhook-signature with it.',
    },
  },
} as const

export const webhookListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { workspace_id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const

export const webhookListResponse = {
  type: 'object',
  required: ['webhooks'],
  additionalProperties: false,
  properties: { webhooks: { type: 'array', items: webhookSchema } },
} as const

export const webhookParams = {
  type: 'object',
  required: ['id'],
  additionalProperties: false,
  properties: { id: { type: 'string', maxLength: 64 } },
} as const

export const deliveryParams = {
  type: 'object',
  required: ['id', 'delivery_id'],
  additionalProperties: false,
  properties: {
    id: { type: 'string', maxLength: 64 },
    delivery_id: { type: 'string', maxLength: 64 },
  },
} as const

export const deliveryListQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: [...DELIVERY_STATUSES] },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
  },
} as const

export const deliverySchema = {
  type: 'object',
  required: [
    'id',
    'webhook_id',
    'event_id',
    'event',
    'status',
    'attempts',
    'next_attempt_at',
    'last_attempt_at',
    'last_status',
    'last_error',
    'created_at',
    'delivered_at',
  ],
  additionalProperties: false,
  properties: {
    id: { type: 'string', description: 'Also the webhook-id header: the same on every retry.' },
    webhook_id: { type: 'string' },
    event_id: { type: 'string' },
    event: { type: 'string', enum: [...WEBHOOK_EVENTS] },
    status: { type: 'string', enum: [...DELIVERY_STATUSES] },
    attempts: { type: 'integer' },
    next_attempt_at: nullableTimestamp,
    last_attempt_at: nullableTimestamp,
    last_status: { type: ['integer', 'null'], description: "The receiver's last HTTP status." },
    last_error: { type: ['string', 'null'], description: 'Why the last attempt failed.' },
    created_at: timestamp,
    delivered_at: nullableTimestamp,
  },
} as const

export const deliveryListResponse = {
  type: 'object',
  required: ['deliveries'],
  additionalProperties: false,
  properties: { deliveries: { type: 'array', items: deliverySchema } },
} as const

export type CreateWebhookRequest = FromSchema<typeof createWebhookBody>
export type WebhookInfo = FromSchema<typeof webhookSchema>
export type CreatedWebhook = FromSchema<typeof createdWebhookSchema>
export type WebhookListResponse = FromSchema<typeof webhookListResponse>
export type WebhookDelivery = FromSchema<typeof deliverySchema>
export type DeliveryListResponse = FromSchema<typeof deliveryListResponse>
export type DeliveryListQuery = FromSchema<typeof deliveryListQuery>
