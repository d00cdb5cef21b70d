import { type ListFilesQuery, listFilesQuery, listFilesResponse } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import { toFileInfo } from '../../../domain/file-service.ts'
import type { AppServices } from '../../app.ts'

export function listFilesRoute(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: ListFilesQuery }>(
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
        prefix: prefix ?? '',
        limit: limit ?? 100,
        ...(cursor ? { cursor } : {}),
        ...(delimiter ? { delimiter } : {}),
      })
      return { ...page, files: page.files.map(toFileInfo) }
    },
  )
}
