import { deleteFilesQuery, folderDeletedSchema, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../../domain/errors.ts'
import type { AppServices } from '../../app.ts'

type DeleteQuery = Validated<typeof deleteFilesQuery>

export function deleteFileRoute(app: FastifyInstance, services: AppServices): void {
  app.delete<{ Querystring: DeleteQuery }>(
    '/v1/files',
    {
      config: { auth: 'files:delete' },
      schema: {
        operationId: 'files.delete',
        tags: ['files'],
        summary:
          'Delete a file (key), or every file under a folder (prefix ending in / with recursive=true) in one trash group.',
        querystring: deleteFilesQuery,
        response: {
          200: { ...folderDeletedSchema, description: 'The folder was deleted.' },
          204: { type: 'null', description: 'The file was deleted.' },
        },
      },
    },
    async (request, reply) => {
      const target = targetOf(request.query)
      const workspaceId = request.query.workspace_id
      if ('key' in target) {
        await services.files.delete(request.principal, workspaceId, target.key)
        return reply.code(204).send()
      }
      const removal = await services.files.deleteFolder(
        request.principal,
        workspaceId,
        target.prefix,
      )
      return reply.code(200).send({ deleted: removal.removed, group_id: removal.groupId })
    },
  )
}

/** Exactly one of key / prefix; a prefix only with recursive=true, so no folder goes by accident. */
function targetOf(query: DeleteQuery): { key: string } | { prefix: string } {
  const { key, prefix } = query
  if (key !== undefined && prefix !== undefined) {
    throw new AppError(
      'invalid_request',
      "Send either 'key' (one file) or 'prefix' (a folder), not both.",
    )
  }
  if (key !== undefined) {
    if (query.recursive === true) {
      throw new AppError(
        'invalid_request',
        "recursive=true goes with 'prefix' (a folder), not 'key'.",
      )
    }
    return { key }
  }
  if (prefix === undefined) {
    throw new AppError(
      'invalid_request',
      "Send 'key' to delete a file or 'prefix' with recursive=true to delete a folder.",
    )
  }
  if (query.recursive !== true) {
    throw new AppError(
      'invalid_request',
      `Deleting the folder '${prefix}' deletes every file under it: send recursive=true to confirm.`,
    )
  }
  return { prefix }
}
