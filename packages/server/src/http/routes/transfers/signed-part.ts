import type { FastifyInstance } from 'fastify'
import type { AppOptions, AppServices } from '../../app.ts'
import { abandonIdleBody } from '../../body-idle-timeout.ts'
import { type SignedPutQuery, signedPutQuery } from './signed-put-query.ts'

/** Receives one part of a multipart session (local backend); sending a part again replaces it. */
export function signedPartRoute(
  app: FastifyInstance,
  services: AppServices,
  options: AppOptions,
): void {
  app.put<{ Params: { id: string; n: number }; Querystring: SignedPutQuery }>(
    '/v1/uploads/:id/parts/:n',
    {
      schema: {
        operationId: 'transfers.uploadPart',
        tags: ['transfers'],
        security: [],
        summary: "Receives one part: exactly its size; answers the part's SHA-256.",
        params: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            n: { type: 'integer', minimum: 1, maximum: 10_000 },
          },
        },
        querystring: signedPutQuery,
      },
    },
    async (request, reply) => {
      const { size, expires, signature } = request.query
      const uploadId = request.params.id
      const partNumber = request.params.n
      services.signed.verifyPart({ uploadId, partNumber, size, expires }, signature)
      const stopWatching = abandonIdleBody(request.raw, options.bodyIdleTimeoutMs)
      try {
        const part = await services.multipart.receivePart(uploadId, partNumber, request.raw)
        return reply
          .header('etag', `"${part.sha256}"`)
          .send({ part_number: part.partNumber, size: part.size, sha256: part.sha256 })
      } finally {
        stopWatching()
      }
    },
  )
}
