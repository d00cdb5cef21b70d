import { signedPutQuery, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import { TRANSFER_PATHS, type TransferEndpoints } from '../../../domain/transfer-endpoints.ts'
import type { AppOptions } from '../../app.ts'
import { abandonIdleBody } from '../../body-idle-timeout.ts'

export function signedUploadRoute(
  app: FastifyInstance,
  transfers: TransferEndpoints,
  options: AppOptions,
): void {
  // Any content type, JSON and text included: the bytes stream straight to the blob store.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', (_request, _payload, done) => done(null))
  app.put<{ Params: { id: string }; Querystring: Validated<typeof signedPutQuery> }>(
    TRANSFER_PATHS.upload,
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
      const signed = { ...request.query, uploadId: request.params.id }
      const stopWatching = abandonIdleBody(request, reply, options.bodyIdleTimeoutMs)
      try {
        await transfers.receiveUpload(signed, request.raw, request.headers['content-type'])
      } finally {
        stopWatching()
      }
      return reply.code(200).send({ status: 'received', size: signed.size })
    },
  )
}
