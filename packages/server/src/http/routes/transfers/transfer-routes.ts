import type { FastifyInstance } from 'fastify'
import type { TransferEndpoints } from '../../../domain/transfer-endpoints.ts'
import type { AppOptions } from '../../app.ts'
import { signedDownloadRoute } from './signed-download.ts'
import { signedPartRoute } from './signed-part.ts'
import { signedUploadRoute } from './signed-upload.ts'

/**
 * Granary's own signed endpoints, mounted only for a backend that has them (local). They take no
 * API key: the URL's signature is the grant, and `transfers` checks it before any byte moves.
 */
export function transferRoutes(
  app: FastifyInstance,
  transfers: TransferEndpoints,
  options: AppOptions,
): void {
  signedDownloadRoute(app, transfers)
  signedUploadRoute(app, transfers, options)
  signedPartRoute(app, transfers, options)
}
