import { listFilesQuery, listFilesResponse, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toFilePage } from '../../presenters.ts'

export function listFilesRoute(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: Validated<typeof listFilesQuery> }>(
    '/v1/files',
    {
      config: { auth: 'files:read' },
      schema: {
        operationId: 'files.list',
        tags: ['files'],
        summary: 'List files in a workspace (metadata only), sorted by key.',
        querystring: listFilesQuery,
        response: { 200: listFilesResponse },
      },
    },
    async (request) => {
      const { workspace_id, prefix, limit, cursor, delimiter } = request.query
      const page = await services.files.list(request.principal, {
        workspaceId: workspace_id,
        prefix,
        limit,
        ...(cursor ? { cursor } : {}),
        ...(delimiter ? { delimiter } : {}),
      })
      return toFilePage(page)
    },
  )
}
