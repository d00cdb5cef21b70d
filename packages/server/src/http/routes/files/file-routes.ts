import type { FastifyInstance } from 'fastify'
import type { AppOptions, AppServices } from '../../app.ts'
import { deleteFileRoute } from './delete.ts'
import { downloadUrlRoute } from './download-url.ts'
import { fileHeaderRoute } from './header.ts'
import { listFilesRoute } from './list.ts'
import { copyFileRoute, moveFileRoute } from './move.ts'
import { queryFileRoute } from './query.ts'
import { revokeLinksRoute } from './revoke-links.ts'
import { uploadRoute } from './upload.ts'
import { uploadConfirmRoute } from './upload-confirm.ts'
import { uploadUrlRoute } from './upload-url.ts'
import { uploadSessionRoutes } from './uploads.ts'

/** The seed's Files API. */
export function fileRoutes(app: FastifyInstance, services: AppServices, options: AppOptions): void {
  listFilesRoute(app, services)
  uploadRoute(app, services, options)
  downloadUrlRoute(app, services)
  deleteFileRoute(app, services)
  uploadUrlRoute(app, services)
  uploadConfirmRoute(app, services)
  uploadSessionRoutes(app, services)
  queryFileRoute(app, services)
  fileHeaderRoute(app, services)
  moveFileRoute(app, services)
  copyFileRoute(app, services)
  revokeLinksRoute(app, services)
}
