import {
  idParams,
  type Validated,
  workspaceDetailSchema,
  workspaceSettingsBody,
  workspaceUsageSchema,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { fromWorkspaceSettingsBody, toWorkspaceDetail, toWorkspaceUsage } from '../../presenters.ts'

/** One workspace: its settings (GET any granted key, PATCH admin) and its usage. */
export function workspaceSettingsRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Params: Validated<typeof idParams> }>(
    '/v1/workspaces/:id',
    {
      config: { auth: 'key' },
      schema: {
        operationId: 'workspaces.get',
        tags: ['workspaces'],
        summary: 'A workspace with its settings (trash_days, keep_versions); any key granted it.',
        params: idParams,
        response: { 200: workspaceDetailSchema },
      },
    },
    async (request) =>
      toWorkspaceDetail(await services.workspaces.get(request.principal, request.params.id)),
  )
  app.patch<{ Params: Validated<typeof idParams>; Body: Validated<typeof workspaceSettingsBody> }>(
    '/v1/workspaces/:id',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'workspaces.update',
        tags: ['workspaces'],
        summary: 'Change settings: {"trash_days": 7, "keep_versions": 10}, any subset.',
        params: idParams,
        body: workspaceSettingsBody,
        response: { 200: workspaceDetailSchema },
      },
    },
    async (request) => {
      const changes = fromWorkspaceSettingsBody(request.body)
      const workspace = await services.workspaces.update(
        request.principal,
        request.params.id,
        changes,
      )
      return toWorkspaceDetail(workspace)
    },
  )
  app.get<{ Params: Validated<typeof idParams> }>(
    '/v1/workspaces/:id/usage',
    {
      config: { auth: 'key' },
      schema: {
        operationId: 'workspaces.usage',
        tags: ['workspaces'],
        summary: 'Files and bytes: current, older versions, trash (counters, one row read).',
        params: idParams,
        response: { 200: workspaceUsageSchema },
      },
    },
    async (request) =>
      toWorkspaceUsage(await services.workspaces.usage(request.principal, request.params.id)),
  )
}
