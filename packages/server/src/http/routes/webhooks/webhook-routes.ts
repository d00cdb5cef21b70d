/** Webhooks (scope `admin`): register, list, delete, deliveries and their retry. */
import {
  createdWebhookSchema,
  createWebhookBody,
  deliveryListQuery,
  deliveryListResponse,
  deliveryParams,
  deliverySchema,
  type Validated,
  webhookListQuery,
  webhookListResponse,
  webhookParams,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { WebhookService } from '../../../domain/webhooks/webhook-service.ts'
import { toCreatedWebhook, toDelivery, toWebhook } from '../../webhook-presenters.ts'

export function webhookRoutes(app: FastifyInstance, webhooks: WebhookService): void {
  app.post<{ Body: Validated<typeof createWebhookBody> }>(
    '/v1/webhooks',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'webhooks.create',
        tags: ['webhooks'],
        summary:
          "Register a webhook for a workspace's events; the answer carries its signing secret, shown this once.",
        body: createWebhookBody,
        response: { 201: createdWebhookSchema },
      },
    },
    async (request, reply) => {
      const { workspace_id, url, events } = request.body
      const webhook = await webhooks.create(request.principal, {
        workspaceId: workspace_id,
        url,
        events,
      })
      return reply.code(201).send(toCreatedWebhook(webhook))
    },
  )
  app.get<{ Querystring: Validated<typeof webhookListQuery> }>(
    '/v1/webhooks',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'webhooks.list',
        tags: ['webhooks'],
        summary: "Every webhook, or one workspace's (never the secrets).",
        querystring: webhookListQuery,
        response: { 200: webhookListResponse },
      },
    },
    async (request) => ({
      webhooks: (await webhooks.list(request.principal, request.query.workspace_id)).map(toWebhook),
    }),
  )
  app.delete<{ Params: Validated<typeof webhookParams> }>(
    '/v1/webhooks/:id',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'webhooks.delete',
        tags: ['webhooks'],
        summary: 'Delete a webhook and its deliveries; nothing more is sent to it.',
        params: webhookParams,
      },
    },
    async (request, reply) => {
      await webhooks.delete(request.principal, request.params.id)
      return reply.code(204).send()
    },
  )
  deliveryRoutes(app, webhooks)
}

function deliveryRoutes(app: FastifyInstance, webhooks: WebhookService): void {
  app.get<{
    Params: Validated<typeof webhookParams>
    Querystring: Validated<typeof deliveryListQuery>
  }>(
    '/v1/webhooks/:id/deliveries',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'webhooks.deliveries',
        tags: ['webhooks'],
        summary: "A webhook's deliveries, newest first, with their attempts and last answer.",
        params: webhookParams,
        querystring: deliveryListQuery,
        response: { 200: deliveryListResponse },
      },
    },
    async (request) => {
      const { status, limit } = request.query
      const list = await webhooks.deliveries(request.principal, request.params.id, {
        limit,
        ...(status ? { status } : {}),
      })
      return { deliveries: list.map(toDelivery) }
    },
  )
  app.post<{ Params: Validated<typeof deliveryParams> }>(
    '/v1/webhooks/:id/deliveries/:delivery_id/retry',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'webhooks.retryDelivery',
        tags: ['webhooks'],
        summary: 'Send a delivery again (failed or not) as soon as a worker runs: 202.',
        params: deliveryParams,
        response: { 202: deliverySchema },
      },
    },
    async (request, reply) => {
      const { id, delivery_id } = request.params
      const delivery = await webhooks.retry(request.principal, id, delivery_id)
      return reply.code(202).send(toDelivery(delivery))
    },
  )
}
