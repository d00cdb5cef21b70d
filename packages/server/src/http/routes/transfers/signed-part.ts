import type { FastifyInstance } from 'fastify'
import { TRANSFER_PATHS, type TransferEndpoints } from '../../../domain/transfer-endpoints.ts'
import type { AppOptions } from '../../app.ts'
import { abandonIdleBody } from '../../body-idle-timeout.ts'
import { type SignedPutQuery, signedPutQuery } from './signed-put-query.ts'

/** Receives one part of a multipart session (local backend); sending a part again replaces it. */
export function signedPartRoute(
  app: FastifyInstance,
  transfers: TransferEndpoints,
  options: AppOptions,
): void {
  app.put<{ Params: { id: string; n: number }; Querystring: SignedPutQuery }>(
    TRANSFER_PATHS.part,
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
      const signed = { ...request.query, uploadId: request.params.id, partNumber: request.params.n }
      const stopWatching = abandonIdleBody(request.raw, options.bodyIdleTimeoutMs)
      try {
        const part = await transfers.receivePart(signed, request.raw)
        return reply
          .header('etag', `"${part.sha256}"`)
          .send({ part_number: part.partNumber, size: part.size, sha256: part.sha256 })
      } finally {
        stopWatching()
      }
    },
  )
}
