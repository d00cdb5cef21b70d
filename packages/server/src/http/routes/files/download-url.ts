import { downloadQuery, downloadResponse, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toDownloadUrl } from '../../presenters.ts'

export function downloadUrlRoute(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: Validated<typeof downloadQuery> }>(
    '/v1/files/download',
    {
      config: { auth: 'files:read' },
      schema: {
        operationId: 'files.download',
        tags: ['files'],
        summary: 'A signed download URL (valid 1 hour by default); fetch it without credentials.',
        querystring: downloadQuery,
        response: { 200: downloadResponse },
      },
    },
    async (request) => {
      const { workspace_id, key, expires_in, disposition, link, with_index, version_id } =
        request.query
      const signed = await services.files.downloadUrl(request.principal, {
        workspaceId: workspace_id,
        key,
        expiresIn: expires_in,
        disposition,
        link,
        withIndex: with_index,
        ...(version_id === undefined ? {} : { versionId: version_id }),
      })
      return toDownloadUrl(signed)
    },
  )
}
