import {
  deleteVersionQuery,
  restoreVersionBody,
  type Validated,
  versionsQuery,
  versionsResponse,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toFileInfo, toVersions } from '../../presenters.ts'

/** A file's versions: list, restore one, delete one (downloads: GET /v1/files/download). */
export function versionRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: Validated<typeof versionsQuery> }>(
    '/v1/files/versions',
    {
      config: { auth: 'files:read' },
      schema: {
        operationId: 'files.versions',
        tags: ['versions'],
        summary: "A file's versions, newest first (the current one first).",
        querystring: versionsQuery,
        response: { 200: versionsResponse },
      },
    },
    async (request) => {
      const { workspace_id, key } = request.query
      return toVersions(await services.versions.list(request.principal, workspace_id, key))
    },
  )
  app.post<{ Body: Validated<typeof restoreVersionBody> }>(
    '/v1/files/restore',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'files.restore',
        tags: ['versions'],
        summary: "Make an older version's content current again, as a new version.",
        body: restoreVersionBody,
        response: { 200: { $ref: 'FileInfo#' } },
      },
    },
    async (request) => {
      const { workspace_id, key, version_id } = request.body
      const file = await services.versions.restore(request.principal, {
        workspaceId: workspace_id,
        key,
        versionId: version_id,
      })
      return toFileInfo(file)
    },
  )
  app.delete<{ Querystring: Validated<typeof deleteVersionQuery> }>(
    '/v1/files/versions',
    {
      config: { auth: 'files:delete' },
      schema: {
        operationId: 'files.deleteVersion',
        tags: ['versions'],
        summary: 'Delete one older version for good (not the current one).',
        querystring: deleteVersionQuery,
        response: { 204: { type: 'null', description: 'Deleted.' } },
      },
    },
    async (request, reply) => {
      const { workspace_id, key, version_id } = request.query
      await services.versions.delete(request.principal, {
        workspaceId: workspace_id,
        key,
        versionId: version_id,
      })
      return reply.code(204).send()
    },
  )
}
