import {
  signedPartParams,
  signedPartResponse,
  signedPutQuery,
  type Validated,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import { TRANSFER_PATHS, type TransferEndpoints } from '../../../domain/transfer-endpoints.ts'
import type { AppOptions } from '../../app.ts'
import { abandonIdleBody } from '../../body-idle-timeout.ts'
import { toReceivedPart } from '../../presenters.ts'

/** Receives one part of a multipart session (local backend); sending a part again replaces it. */
export function signedPartRoute(
  app: FastifyInstance,
  transfers: TransferEndpoints,
  options: AppOptions,
): void {
  app.put<{
    Params: Validated<typeof signedPartParams>
    Querystring: Validated<typeof signedPutQuery>
  }>(
    TRANSFER_PATHS.part,
    {
      schema: {
        operationId: 'transfers.uploadPart',
        tags: ['transfers'],
        security: [],
        summary: "Receives one part: exactly its size; answers the part's SHA-256.",
        params: signedPartParams,
        querystring: signedPutQuery,
        response: { 200: signedPartResponse },
      },
    },
    async (request, reply) => {
      const signed = { ...request.query, uploadId: request.params.id, partNumber: request.params.n }
      const stopWatching = abandonIdleBody(request, reply, options.bodyIdleTimeoutMs)
      try {
        const part = await transfers.receivePart(signed, request.raw)
        return reply.header('etag', `"${part.sha256}"`).send(toReceivedPart(part))
      } finally {
        stopWatching()
      }
    },
  )
}
