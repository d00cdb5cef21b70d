import type { FastifyInstance } from 'fastify'
import type { AppOptions, AppServices } from '../../app.ts'
import { abandonIdleBody } from '../../body-idle-timeout.ts'
import { type SignedPutQuery, signedPutQuery } from './signed-put-query.ts'

export function signedUploadRoute(
  app: FastifyInstance,
  services: AppServices,
  options: AppOptions,
): void {
  // Any content type, JSON and text included: the bytes stream straight to the blob store.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null))
  app.put<{ Params: { id: string }; Querystring: SignedPutQuery }>(
    '/v1/uploads/:id/content',
    {
      schema: {
        operationId: 'transfers.upload',
        tags: ['transfers'],
        security: [],
        summary: 'Receives the bytes of a large-file upload: exactly the declared size, once.',
        querystring: signedPutQuery,
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
