import { signedDownloadQuery, type Validated } from '@granary/protocol'
import contentDisposition from 'content-disposition'
import type { FastifyInstance, FastifyReply } from 'fastify'
import { servingFor } from '../../../domain/serving-policy.ts'
import {
  type SignedDownload,
  TRANSFER_PATHS,
  type TransferEndpoints,
} from '../../../domain/transfer-endpoints.ts'

export function signedDownloadRoute(app: FastifyInstance, transfers: TransferEndpoints): void {
  app.get<{ Params: { '*': string }; Querystring: Validated<typeof signedDownloadQuery> }>(
    TRANSFER_PATHS.download,
    {
      schema: {
        operationId: 'transfers.download',
        tags: ['transfers'],
        security: [],
        summary: 'The bytes behind a signed download URL; honours Range.',
        querystring: signedDownloadQuery,
      },
    },
    async (request, reply) => {
      const { expires, disposition, type, signature, kid, fid, gen } = request.query
      const grant = { issuedBy: kid, fileId: fid, generation: gen }
      const download = await transfers.openDownload(
        {
          blobName: request.params['*'],
          expires,
          disposition,
          contentType: type,
          grant,
          signature,
        },
        request.headers.range,
      )
      return sendDownload(reply, download)
    },
  )
}

/** Sends a download's bytes with the headers every Granary-served file gets. */
export function sendDownload(reply: FastifyReply, download: SignedDownload) {
  const { range, size } = download
  // Again here, for URLs signed before the policy: active content is never inline on our origin.
  const serving = servingFor(download.contentType, download.disposition)
  reply.headers({
    'content-type': serving.contentType,
    'content-disposition': contentDisposition(download.filename, {
      type: serving.disposition,
      fallback: asciiFallback(download.filename),
    }),
    etag: download.etag,
    'accept-ranges': 'bytes',
    // A signed URL is a capability: no shared cache keeps the bytes, no browser cache outlives it.
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    // Served files are data, never a page of ours: no scripts, no same-origin access.
    'content-security-policy': "default-src 'none'; sandbox",
    'content-length': String(range ? range.end - range.start + 1 : size),
  })
  if (range) reply.code(206).header('content-range', `bytes ${range.start}-${range.end}/${size}`)
  return reply.send(download.body)
}

/**
 * RFC 6266: `filename*` carries the UTF-8 name; the plain `filename` is for old clients, so it is
 * kept ASCII (accents dropped, anything else replaced) rather than raw Latin-1 bytes.
 */
function asciiFallback(filename: string): string {
  return filename
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/[^\x20-\x7e]/g, '_')
}
