import { revokeLinksBody, revokeLinksResponse, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toRevokedLinks } from '../../audit-presenters.ts'

export function revokeLinksRoute(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Validated<typeof revokeLinksBody> }>(
    '/v1/files/revoke-links',
    {
      config: { auth: 'files:delete' },
      schema: {
        operationId: 'files.revokeLinks',
        tags: ['files'],
        summary:
          'Make every download link to this file stop working now (not direct presigned S3 URLs).',
        body: revokeLinksBody,
        response: { 200: revokeLinksResponse },
      },
    },
    async (request) => {
      const { workspace_id, key } = request.body
      return toRevokedLinks(
        await services.linkRevocations.revoke(request.principal, workspace_id, key),
      )
    },
  )
}
