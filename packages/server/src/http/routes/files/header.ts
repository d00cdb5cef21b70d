import { fileHeaderQuery, fileHeaderResponse, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'

/** `GET /v1/files/header`: the header of a VCF, BAM, CRAM or tabix-indexed file, and its contigs. */
export function fileHeaderRoute(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: Validated<typeof fileHeaderQuery> }>(
    '/v1/files/header',
    {
      config: { auth: 'files:read' },
      schema: {
        operationId: 'files.header',
        tags: ['files'],
        summary: 'The header text, contigs (name, length) and samples of a genomic file.',
        querystring: fileHeaderQuery,
        response: { 200: fileHeaderResponse },
      },
    },
    async (request) => {
      const { workspace_id, key } = request.query
      return services.genomics.header(request.principal, { workspaceId: workspace_id, key })
    },
  )
}
