import type { FastifyInstance } from 'fastify'
import type { LinkService } from '../../../domain/links/link-service.ts'
import { LINK_PREFIX } from '../../../domain/links/link-tokens.ts'
import { sendDownload } from '../transfers/signed-download.ts'

/**
 * Granary links (domain/links): `GET /v1/links/<token>/<key>` serves the linked file and, under
 * the same token, its index siblings. No API key: the signature in the path is the grant. Any
 * origin may read them (igv.js in a browser): they carry no cookies and grant nothing more.
 */
export function linkRoutes(app: FastifyInstance, links: LinkService): void {
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith(LINK_PREFIX)) return
    reply.header('access-control-allow-origin', '*')
    reply.header(
      'access-control-expose-headers',
      'content-length, content-range, accept-ranges, etag, content-disposition',
    )
  })
  app.options(`${LINK_PREFIX}*`, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .code(204)
      .header('access-control-allow-methods', 'GET, HEAD')
      .header('access-control-allow-headers', 'range')
      .header('access-control-max-age', '86400')
      .send(),
  )
  app.get<{ Params: { '*': string } }>(
    `${LINK_PREFIX}*`,
    {
      schema: {
        operationId: 'links.download',
        tags: ['transfers'],
        security: [],
        summary:
          "A Granary link: the file, or its index by htslib's names (x.bam.bai, x.vcf.gz.tbi); honours Range. On S3, a 307 to a presigned URL valid for a minute.",
      },
    },
    async (request, reply) => {
      const answer = await links.open(request.params['*'], request.headers.range)
      if (answer.kind === 'redirect') {
        return reply.header('cache-control', 'private, no-store').redirect(answer.location, 307)
      }
      return sendDownload(reply, answer)
    },
  )
}
