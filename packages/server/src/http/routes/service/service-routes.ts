import { GRANARY_VERSION } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'

export function serviceRoutes(app: FastifyInstance, services: AppServices): void {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'service.health',
        tags: ['service'],
        security: [],
        summary: "The process is up; answers the server's version.",
      },
    },
    async () => ({ status: 'ok', version: GRANARY_VERSION }),
  )
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'service.ready',
        tags: ['service'],
        security: [],
        summary:
          'The database and the blob store answer and the data folder has room (503 otherwise).',
      },
    },
    async () => {
      await services.ready()
      return { status: 'ready' }
    },
  )
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}
