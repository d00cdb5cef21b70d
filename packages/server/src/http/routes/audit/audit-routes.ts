import { auditQuery, auditResponse, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toAuditPage } from '../../audit-presenters.ts'

/** GET /v1/audit: the audit trail (scope `audit:read`, or `admin`). */
export function auditRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: Validated<typeof auditQuery> }>(
    '/v1/audit',
    {
      config: { auth: 'audit:read' },
      schema: {
        operationId: 'audit.list',
        tags: ['audit'],
        summary: 'Who did what, when: audit events, newest first (order=asc to follow the log).',
        querystring: auditQuery,
        response: { 200: auditResponse },
      },
    },
    async (request) => {
      const q = request.query
      const page = await services.audit.list(request.principal, {
        limit: q.limit,
        order: q.order,
        ...(q.workspace_id !== undefined ? { workspaceId: q.workspace_id } : {}),
        ...(q.since !== undefined ? { since: q.since } : {}),
        ...(q.until !== undefined ? { until: q.until } : {}),
        ...(q.action !== undefined ? { action: q.action } : {}),
        ...(q.key_prefix !== undefined ? { keyPrefix: q.key_prefix } : {}),
        ...(q.actor_key_id !== undefined ? { actorKeyId: q.actor_key_id } : {}),
        ...(q.cursor !== undefined ? { cursor: q.cursor } : {}),
      })
      return toAuditPage(page)
    },
  )
}
