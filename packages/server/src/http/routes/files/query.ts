import { Readable } from 'node:stream'
import { queryFileQuery, queryFileResponse, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'

/** `GET /v1/files/query`: the records of a region of an indexed file, streamed as they are read. */
export function queryFileRoute(app: FastifyInstance, services: AppServices): void {
  app.get<{ Querystring: Validated<typeof queryFileQuery> }>(
    '/v1/files/query',
    {
      config: { auth: 'files:read' },
      schema: {
        operationId: 'files.query',
        tags: ['files'],
        summary:
          'Records of regions of a VCF, BAM, CRAM or tabix-indexed file, read through its index.',
        querystring: queryFileQuery,
        response: { 200: queryFileResponse },
      },
    },
    async (request, reply) => {
      const query = request.query
      const stop = new AbortController()
      const output = await services.genomics.query(request.principal, {
        workspaceId: query.workspace_id,
        key: query.key,
        regions: query.region,
        limit: query.limit,
        format: query.format,
        header: query.header,
        referenceKey: query.reference_key,
        signal: stop.signal,
      })
      // A client that hangs up stops the reads; the log says what the query cost the store.
      reply.raw.once('close', () => {
        stop.abort()
        request.log.info(
          { bytes_read: output.meter.bytes, store_reads: output.meter.reads, key: query.key },
          'region query read',
        )
      })
      reply.headers({
        'content-type': output.contentType,
        'cache-control': 'private, no-store',
        'x-content-type-options': 'nosniff',
      })
      return reply.send(Readable.from(output.body, { objectMode: false }))
    },
  )
}
