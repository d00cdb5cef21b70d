import { fileLocatorQuery, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'

export function deleteFileRoute(app: FastifyInstance, services: AppServices): void {
  app.delete<{ Querystring: Validated<typeof fileLocatorQuery> }>(
    '/v1/files',
    {
      config: { auth: 'files:delete' },
      schema: {
        operationId: 'files.delete',
        tags: ['files'],
        summary: 'Delete a file (metadata first, then its bytes).',
        querystring: fileLocatorQuery,
        response: { 204: { type: 'null', description: 'Deleted.' } },
      },
    },
    async (request, reply) => {
      await services.files.delete(request.principal, request.query.workspace_id, request.query.key)
      return reply.code(204).send()
    },
  )
}
