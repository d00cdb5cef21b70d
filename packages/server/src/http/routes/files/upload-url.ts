import { uploadUrlBody, uploadUrlResponse, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { fromUploadUrlBody, toUploadUrlAnswer } from '../../presenters.ts'

export function uploadUrlRoute(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Validated<typeof uploadUrlBody> }>(
    '/v1/files/upload-url',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'files.uploadUrl',
        tags: ['files'],
        summary:
          'Start a large-file upload: answers a signed PUT URL and the headers the PUT must carry.',
        body: uploadUrlBody,
        response: { 201: uploadUrlResponse },
      },
    },
    async (request, reply) => {
      const started = await services.largeUploads.createUploadUrl(
        request.principal,
        fromUploadUrlBody(request.body),
      )
      return reply.code(201).send(toUploadUrlAnswer(started))
    },
  )
}
