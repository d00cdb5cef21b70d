import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'

const inspection = {
  type: 'object',
  required: ['backend', 'location', 'reachable', 'cors_origins', 'problems'],
  properties: {
    backend: { type: 'string', enum: ['local', 's3'] },
    location: { type: 'string' },
    reachable: { type: 'boolean' },
    cors_origins: { type: ['array', 'null'], items: { type: 'string' } },
    problems: { type: 'array', items: { type: 'string' } },
  },
} as const

const corsBody = {
  type: 'object',
  required: ['origins'],
  additionalProperties: false,
  properties: {
    origins: {
      type: 'array',
      minItems: 1,
      maxItems: 100,
      items: { type: 'string', maxLength: 255 },
    },
  },
} as const

/** The blob store as an operator sees it (scope `admin`). */
export function storageRoutes(app: FastifyInstance, services: AppServices): void {
  app.get(
    '/v1/admin/storage',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'storage.check',
        tags: ['admin'],
        summary: 'Reachability, credentials and CORS rules of the blob store.',
        response: { 200: inspection },
      },
    },
    async (request) => {
      return wire(await services.admin.inspectStorage(request.principal))
    },
  )
  app.put<{ Body: { origins: string[] } }>(
    '/v1/admin/storage/cors',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'storage.setCors',
        tags: ['admin'],
        summary:
          "Let these browser origins PUT and GET presigned URLs (S3 only); answers the store's state.",
        body: corsBody,
        response: { 200: inspection },
      },
    },
    async (request) => {
      return wire(await services.admin.setStorageCors(request.principal, request.body.origins))
    },
  )
}

export function gcRoute(app: FastifyInstance, services: AppServices): void {
  app.post(
    '/v1/admin/gc',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'storage.gc',
        tags: ['admin'],
        summary:
          "Expire uploads past their deadline, retry queued deletions of deleted files' bytes and delete blobs nothing refers to, now (all also run in the background).",
        response: {
          200: {
            type: 'object',
            required: ['expired_uploads', 'orphan_blobs', 'reclaimed_bytes', 'deleted_blobs'],
            properties: {
              expired_uploads: { type: 'integer' },
              deleted_blobs: {
                type: 'integer',
                description: "Deleted files' bytes whose queued deletion succeeded now.",
              },
              orphan_blobs: { type: 'integer' },
              reclaimed_bytes: { type: 'integer' },
            },
          },
        },
      },
    },
    async (request) => {
      const report = await services.reaper.runAs(request.principal)
      const { deleted_blobs } = await services.deletions.retryAll()
      return { ...report, deleted_blobs }
    },
  )
}

function wire(state: Awaited<ReturnType<AppServices['admin']['inspectStorage']>>) {
  const { corsOrigins, ...rest } = state
  return { ...rest, cors_origins: corsOrigins }
}
