import {
  gcReportSchema,
  storageCorsBody,
  storageStatusSchema,
  type Validated,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toGcReport, toStorageStatus } from '../../presenters.ts'

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
        response: { 200: storageStatusSchema },
      },
    },
    async (request) => {
      return toStorageStatus(await services.admin.inspectStorage(request.principal))
    },
  )
  app.put<{ Body: Validated<typeof storageCorsBody> }>(
    '/v1/admin/storage/cors',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'storage.setCors',
        tags: ['admin'],
        summary:
          "Let these browser origins PUT and GET presigned URLs (S3 only); answers the store's state.",
        body: storageCorsBody,
        response: { 200: storageStatusSchema },
      },
    },
    async (request) => {
      return toStorageStatus(
        await services.admin.setStorageCors(request.principal, request.body.origins),
      )
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
        response: { 200: gcReportSchema },
      },
    },
    async (request) => {
      const report = await services.reaper.runAs(request.principal)
      const { deletedBlobs } = await services.deletions.retryAll()
      return toGcReport(report, deletedBlobs)
    },
  )
}
