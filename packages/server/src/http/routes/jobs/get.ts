import { jobParams, jobSchema, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toJobInfo } from '../../presenters.ts'

/** GET /v1/jobs/{id}: a folder job's progress. */
export function jobRoutes(app: FastifyInstance, services: AppServices): void {
  app.get<{ Params: Validated<typeof jobParams> }>(
    '/v1/jobs/:id',
    {
      config: { auth: 'files:read' },
      schema: {
        operationId: 'jobs.get',
        tags: ['jobs'],
        summary: 'Progress of a folder move or copy that runs as a job (done/total, status).',
        params: jobParams,
        response: { 200: jobSchema },
      },
    },
    async (request) => toJobInfo(await services.moves.job(request.principal, request.params.id)),
  )
}
