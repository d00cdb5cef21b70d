import {
  scrubRunSchema,
  scrubStartBody,
  scrubStatusSchema,
  type Validated,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toScrubRun } from '../../presenters.ts'

/** Reading stored files back against their recorded SHA-256 (scope `admin`). */
export function scrubRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Validated<typeof scrubStartBody> | undefined }>(
    '/v1/admin/scrub',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'storage.scrub',
        tags: ['admin'],
        summary:
          'Start re-hashing stored files against their recorded SHA-256 in the background (one run at a time); follow it with GET.',
        body: scrubStartBody,
        response: { 202: scrubRunSchema },
      },
    },
    async (request, reply) => {
      const body = request.body ?? {}
      const run = services.scrub.start(request.principal, {
        ...(body.sample_percent !== undefined ? { samplePercent: body.sample_percent } : {}),
        ...(body.max_bytes_per_second !== undefined
          ? { maxBytesPerSecond: body.max_bytes_per_second }
          : {}),
      })
      return reply.code(202).send(toScrubRun(run))
    },
  )
  app.get(
    '/v1/admin/scrub',
    {
      config: { auth: 'admin' },
      schema: {
        operationId: 'storage.scrubStatus',
        tags: ['admin'],
        summary:
          "This server process's running or last scrub: progress and every mismatch or missing blob found.",
        response: { 200: scrubStatusSchema },
      },
    },
    async (request) => {
      const run = services.scrub.latest(request.principal)
      return { scrub: run ? toScrubRun(run) : null }
    },
  )
}
