import type { FastifyInstance } from 'fastify'
import type { AppOptions, AppServices } from '../../app.ts'
import { abandonIdleBody } from '../../body-idle-timeout.ts'

interface SignedUploadQuery {
  size: number
  expires: number
  signature: string
}

const query = {
  type: 'object',
  required: ['size', 'expires', 'signature'],
  properties: {
    size: { type: 'integer', minimum: 0 },
    expires: { type: 'integer' },
    signature: { type: 'string', maxLength: 128 },
  },
} as const

export function signedUploadRoute(
  app: FastifyInstance,
  services: AppServices,
  options: AppOptions,
): void {
  // Any content type, JSON and text included: the bytes stream straight to the blob store.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null))
  app.put<{ Params: { id: string }; Querystring: SignedUploadQuery }>(
    '/v1/uploads/:id/content',
    {
      schema: {
        operationId: 'transfers.upload',
        tags: ['transfers'],
        security: [],
        summary: 'Receives the bytes of a large-file upload: exactly the declared size, once.',
        querystring: query,
      },
    },
    async (request, reply) => {
      const { size, expires, signature } = request.query
      services.signed.verifyUpload(request.params.id, size, expires, signature)
      const stopWatching = abandonIdleBody(request.raw, options.bodyIdleTimeoutMs)
      try {
        await services.largeUploads.receive(
          request.params.id,
          request.raw,
          request.headers['content-type'],
        )
      } finally {
        stopWatching()
      }
      return reply.code(200).send({ status: 'received', size })
    },
  )
}
