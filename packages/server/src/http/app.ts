/** buildApp: the Fastify app over the domain services, without a listener (tests use inject()). */
import { sharedSchemas } from '@granary/protocol'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import type { AdminService } from '../domain/admin-service.ts'
import type { AuditService } from '../domain/audit-service.ts'
import type { BlobDeletions } from '../domain/blob-deletions.ts'
import type { FileService } from '../domain/file-service.ts'
import type { GenomicsService } from '../domain/genomics/genomics-service.ts'
import { randomId } from '../domain/ids.ts'
import type { LargeUploadService } from '../domain/large-upload-service.ts'
import type { LinkRevocationService } from '../domain/link-revocation.ts'
import type { LinkService } from '../domain/links/link-service.ts'
import type { MoveService } from '../domain/move-service.ts'
import type { MultipartService } from '../domain/multipart-service.ts'
import type { ScrubService } from '../domain/scrub.ts'
import type { TransferEndpoints } from '../domain/transfer-endpoints.ts'
import type { TrashService } from '../domain/trash-service.ts'
import type { UploadReaper } from '../domain/upload-reaper.ts'
import type { VersionService } from '../domain/version-service.ts'
import type { WebhookService } from '../domain/webhooks/webhook-service.ts'
import type { WorkspaceSettingsService } from '../domain/workspace-settings-service.ts'
import type { ServerMetrics } from '../server-metrics.ts'
import { registerApiDocs } from './api-docs.ts'
import { recordDeniedAttempts } from './audit-denials.ts'
import { installErrorHandling } from './error-handler.ts'
import { installExpectContinue } from './expect-continue.ts'
import { endJsonWithNewline } from './json-newline.ts'
import { installMetrics } from './metrics.ts'
import { installRateLimits, type RateLimitSettings } from './rate-limits.ts'
import { type Authenticate, installRequestAuth } from './request-auth.ts'
import { RequestLog } from './request-log.ts'
import { adminRoutes } from './routes/admin/admin-routes.ts'
import { scrubRoutes } from './routes/admin/scrub-routes.ts'
import { gcRoute, storageRoutes } from './routes/admin/storage-routes.ts'
import { auditRoutes } from './routes/audit/audit-routes.ts'
import { fileRoutes } from './routes/files/file-routes.ts'
import { jobRoutes } from './routes/jobs/get.ts'
import { linkRoutes } from './routes/links/link-routes.ts'
import { serviceRoutes } from './routes/service/service-routes.ts'
import { transferRoutes } from './routes/transfers/transfer-routes.ts'
import { trashRoutes } from './routes/trash/trash-routes.ts'
import { versionRoutes } from './routes/versions/version-routes.ts'
import { webhookRoutes } from './routes/webhooks/webhook-routes.ts'
import { workspaceSettingsRoutes } from './routes/workspaces/workspace-settings-routes.ts'
import { schemaValidators } from './validators.ts'
import { type WebAssetsOptions, webAssetRoutes } from './web-assets.ts'

/** What the HTTP layer needs from the rest of the server. */
export interface AppServices {
  readonly files: FileService
  readonly genomics: GenomicsService
  readonly moves: MoveService
  readonly links: LinkService
  readonly largeUploads: LargeUploadService
  readonly multipart: MultipartService
  readonly reaper: UploadReaper
  readonly deletions: BlobDeletions
  readonly admin: AdminService
  readonly scrub: ScrubService
  readonly audit: AuditService
  readonly webhooks: WebhookService
  readonly linkRevocations: LinkRevocationService
  readonly versions: VersionService
  readonly trash: TrashService
  readonly workspaces: WorkspaceSettingsService
  /** Granary's own signed transfer endpoints; only backends whose URLs point here have them. */
  readonly transfers: TransferEndpoints | undefined
  readonly authenticate: Authenticate
  /** Throws when the database or the blob store cannot be reached. */
  readonly ready: () => Promise<void>
}

export interface AppOptions {
  maxUploadBytes: number
  bodyIdleTimeoutMs: number
  /** The process's logger (createLogger); every request logs through a child of it. */
  logger: FastifyBaseLogger
  rateLimits: RateLimitSettings
  /** Proxies whose X-Forwarded-For names the client (rate limits count per client address). */
  trustProxy?: string | undefined
  /** This server's metrics (/metrics), fed by every request. */
  metrics: ServerMetrics
  /** A bearer token that may read /metrics besides admin keys. */
  metricsToken?: string | undefined
  /** Serve the web UI from this folder at `/` (nothing when it holds no index.html). */
  web?: WebAssetsOptions
}

export async function buildApp(
  services: AppServices,
  options: AppOptions,
): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    logController: new RequestLog(),
    genReqId: () => `req_${randomId(12)}`,
    ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
    // No total request timeout: a 500 MB form upload over a slow link must finish. Idle bodies
    // are abandoned by abandonIdleBody; idle sockets and slow headers by these bounds.
    requestTimeout: 0,
    connectionTimeout: 10 * 60_000,
    keepAliveTimeout: 5_000,
    http: { headersTimeout: 30_000 },
    bodyLimit: 1024 * 1024,
  })
  // Callback-style hooks where nothing is awaited: an async hook costs a promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id)
    done()
  })
  installExpectContinue(app.server)
  installErrorHandling(app)
  installRequestAuth(
    app,
    services.authenticate,
    await installRateLimits(app, options.rateLimits),
    recordDeniedAttempts(services.audit),
  )
  installMetrics(app, services.authenticate, {
    metrics: options.metrics,
    token: options.metricsToken,
  })
  for (const schema of sharedSchemas) app.addSchema(schema)
  app.setValidatorCompiler(schemaValidators(sharedSchemas))
  endJsonWithNewline(app)
  await registerApiDocs(app)
  serviceRoutes(app, services)
  fileRoutes(app, services, options)
  adminRoutes(app, services)
  workspaceSettingsRoutes(app, services)
  versionRoutes(app, services)
  trashRoutes(app, services)
  storageRoutes(app, services)
  gcRoute(app, services)
  scrubRoutes(app, services)
  auditRoutes(app, services)
  jobRoutes(app, services)
  await app.register(async (scope) => linkRoutes(scope, services.links))
  webhookRoutes(app, services.webhooks)
  const { transfers } = services
  if (transfers) await app.register(async (scope) => transferRoutes(scope, transfers, options))
  if (options.web && !(await webAssetRoutes(app, options.web))) {
    app.log.warn(`no web UI in ${options.web.dir}: run \`npm run build -w @granary/web\``)
  }
  return app
}
