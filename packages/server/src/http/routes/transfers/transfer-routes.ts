import type { FastifyInstance } from 'fastify'
import type { AppOptions, AppServices } from '../../app.ts'
import { signedDownloadRoute } from './signed-download.ts'
import { signedPartRoute } from './signed-part.ts'
import { signedUploadRoute } from './signed-upload.ts'

/** The local backend's signed endpoints. They take no API key: the URL's signature is the grant. */
export function transferRoutes(
  app: FastifyInstance,
  services: AppServices,
  options: AppOptions,
): void {
  signedDownloadRoute(app, services)
  signedUploadRoute(app, services, options)
  signedPartRoute(app, services, options)
}
