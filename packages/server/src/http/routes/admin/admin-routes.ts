import {
  createKeyBody,
  createWorkspaceBody,
  idParams,
  keyListResponse,
  type Validated,
  workspaceListResponse,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import {
  fromCreateKeyBody,
  toApiKeyInfo,
  toCreatedApiKey,
  toMe,
  toWorkspace,
} from '../../presenters.ts'

/** Workspaces and API keys (scope `admin`). */
export function adminRoutes(app: FastifyInstance, services: AppServices): void {
  app.get(
    '/v1/me',
    {
      config: { auth: 'key' },
      schema: {
        operationId: 'keys.me',
        tags: ['keys'],
        summary: 'The calling key (name, scopes, expiry) and the workspaces it may use; any key.',
        response: { 200: { $ref: 'Me#' } },
      },
    },
    async (request) => toMe(await services.admin.me(request.principal)),
  )
  app.post<{ Body: Validated<typeof createWorkspaceBody> }>(
    '/v1/workspaces',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'workspaces.create',
        tags: ['admin'],
        summary: 'Create a workspace (id optional, e.g. ws_abc123); 409 if the id is taken.',
        body: createWorkspaceBody,
        response: { 201: { $ref: 'Workspace#' } },
      },
    },
    async (request, reply) => {
      const workspace = await services.admin.createWorkspace(request.principal, request.body)
      return reply.code(201).send(toWorkspace(workspace))
    },
  )
  app.get(
    '/v1/workspaces',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'workspaces.list',
        tags: ['admin'],
        summary: 'Every workspace.',
        response: { 200: workspaceListResponse },
      },
    },
    async (request) => ({
      workspaces: (await services.admin.listWorkspaces(request.principal)).map(toWorkspace),
    }),
  )
  app.post<{ Body: Validated<typeof createKeyBody> }>(
    '/v1/keys',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'keys.create',
        tags: ['admin'],
        summary: 'Create an API key; the answer carries its secret, shown this once.',
        body: createKeyBody,
        response: { 201: { $ref: 'CreatedApiKey#' } },
      },
    },
    async (request, reply) => {
      const key = await services.admin.createKey(request.principal, fromCreateKeyBody(request.body))
      return reply.code(201).send(toCreatedApiKey(key))
    },
  )
  app.get(
    '/v1/keys',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'keys.list',
        tags: ['admin'],
        summary: 'Every API key with its scopes and workspaces (never the secrets).',
        response: { 200: keyListResponse },
      },
    },
    async (request) => ({
      keys: (await services.admin.listKeys(request.principal)).map(toApiKeyInfo),
    }),
  )
  app.delete<{ Params: Validated<typeof idParams> }>(
    '/v1/keys/:id',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'keys.revoke',
        tags: ['admin'],
        summary: 'Revoke a key; effective on the next request.',
        params: idParams,
      },
    },
    async (request, reply) => {
      await services.admin.revokeKey(request.principal, request.params.id)
      return reply.code(204).send()
    },
  )
}
