import {
  trashListQuery,
  trashListResponse,
  trashPurgeQuery,
  trashPurgeResponse,
  trashRestoreBody,
  trashRestoreGroupBody,
  trashRestoreGroupResponse,
  type Validated,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../../domain/errors.ts'
import type { AppServices } from '../../app.ts'
import { toFileInfo, toTrashPage } from '../../presenters.ts'

/** The trash: list, restore (an item or a group), purge (an item, or all: admin). */
export function trashRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: Validated<typeof trashListQuery> }>(
    '/v1/trash',
    {
      config: { auth: 'files:read' },
      schema: {
        operationId: 'trash.list',
        tags: ['trash'],
        summary: "The workspace's trash in key order, with when each item is purged.",
        querystring: trashListQuery,
        response: { 200: trashListResponse },
      },
    },
    async (request) => {
      const { workspace_id, prefix, limit, cursor } = request.query
      const page = await services.trash.list(request.principal, {
        workspaceId: workspace_id,
        prefix,
        limit,
        ...(cursor === undefined ? {} : { cursor }),
      })
      return toTrashPage(page)
    },
  )
  app.post<{ Body: Validated<typeof trashRestoreBody> }>(
    '/v1/trash/restore',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'trash.restore',
        tags: ['trash'],
        summary:
          'Put a trash item back (with its id and versions); 409 file_exists if the key is taken.',
        body: trashRestoreBody,
        response: { 200: { $ref: 'FileInfo#' } },
      },
    },
    async (request) => {
      const { workspace_id, trash_id, to, overwrite } = request.body
      const file = await services.trash.restore(request.principal, {
        workspaceId: workspace_id,
        trashId: trash_id,
        ...(to === undefined ? {} : { to }),
        overwrite,
      })
      return toFileInfo(file)
    },
  )
  app.post<{ Body: Validated<typeof trashRestoreGroupBody> }>(
    '/v1/trash/restore-group',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'trash.restoreGroup',
        tags: ['trash'],
        summary: 'Put back every item deleted by one call (a folder), all or none.',
        body: trashRestoreGroupBody,
        response: { 200: trashRestoreGroupResponse },
      },
    },
    async (request) => {
      const { workspace_id, group_id, overwrite } = request.body
      const files = await services.trash.restoreGroup(request.principal, {
        workspaceId: workspace_id,
        groupId: group_id,
        overwrite,
      })
      return { files: files.map(toFileInfo) }
    },
  )
  app.delete<{ Querystring: Validated<typeof trashPurgeQuery> }>(
    '/v1/trash',
    {
      config: { auth: 'files:delete' },
      schema: {
        operationId: 'trash.purge',
        tags: ['trash'],
        summary: 'Delete a trash item for good (trash_id), or empty the trash (all=true, admin).',
        querystring: trashPurgeQuery,
        response: { 200: trashPurgeResponse },
      },
    },
    async (request) => {
      const { workspace_id, trash_id, all } = request.query
      const { principal } = request
      if (all === true && trash_id === undefined) {
        return { purged: await services.trash.empty(principal, workspace_id) }
      }
      if (all !== undefined || trash_id === undefined) {
        throw new AppError(
          'invalid_request',
          "Send either 'trash_id' (one item) or 'all=true' (the whole trash), not both.",
        )
      }
      return { purged: await services.trash.purge(principal, workspace_id, trash_id) }
    },
  )
}
