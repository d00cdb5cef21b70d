/** Starting and stopping a whole Granary server; `granary serve` and main.ts call runServer. */
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import type { Logger } from 'pino'
import {
  type BootstrapResult,
  bootstrap,
  DEFAULT_WORKSPACE,
  resolveSigningSecret,
} from './bootstrap.ts'
import { clockFromEnv } from './clocks.ts'
import { composeServices, DELETION_RETRY_MS, type Services } from './compose.ts'
import { type Config, ConfigError, loadConfig } from './config.ts'
import { authenticate } from './domain/auth.ts'
import type { Clock } from './domain/clock.ts'
import { isAppError } from './domain/errors.ts'
import { buildApp } from './http/app.ts'
import { createLogger } from './logger.ts'
import { ServerMetrics } from './server-metrics.ts'
import { requireFreeSpace } from './storage/local/free-space.ts'

export { type Config, ConfigError, loadConfig } from './config.ts'
export { backupDataFolder } from './maintenance/backup.ts'
export { restoreDataFolder } from './maintenance/restore.ts'

export interface RunningServer extends Server {
  readonly url: string
}

export interface Server {
  readonly app: FastifyInstance
  readonly services: Services
  readonly bootstrap: BootstrapResult
  close(): Promise<void>
}

export interface CreateServerOptions {
  /** Defaults to createLogger(config.logLevel), on stdout. */
  logger?: Logger
  /** The time the domain reads; real time by default (tests pass a clock they move). */
  clock?: Clock
}

/**
 * Opens the stores, runs migrations and bootstraps; no listener (tests use app.inject()). The
 * logger comes first, so a failure on the way is logged with its cause before it is thrown.
 */
export async function createServer(
  config: Config,
  options: CreateServerOptions = {},
): Promise<Server> {
  const logger = options.logger ?? createLogger(config.logLevel)
  const metrics = new ServerMetrics()
  let services: Services | undefined
  try {
    const { mkdir } = await import('node:fs/promises')
    await mkdir(config.dataDir, { recursive: true })
    services = await composeServices(config, {
      signingSecret: await resolveSigningSecret(config),
      onBackgroundError: (error, context) => {
        metrics.countError(errorCode(error))
        logger.error({ err: error }, `background work failed: ${context}`)
      },
      ...(options.clock ? { clock: options.clock } : {}),
    })
    metrics.watch({
      pendingDeletions: () => services?.metadata.countPendingDeletions() ?? Promise.resolve(0),
      databasePool: () => services?.databasePool(),
      webhookBacklog: () => services?.metadata.webhooks.countPending() ?? Promise.resolve(0),
    })
    return await assemble(config, services, { logger, metrics })
  } catch (error) {
    logger.error({ err: error }, 'Granary could not start')
    await services?.close().catch(() => {})
    throw error
  }
}

/** The code of an AppError (a store's failure), `internal_error` for anything else. */
function errorCode(error: unknown): string {
  return isAppError(error) ? error.code : 'internal_error'
}

/** Bootstraps and builds the app over opened services. */
async function assemble(
  config: Config,
  services: Services,
  { logger, metrics }: { logger: Logger; metrics: ServerMetrics },
): Promise<Server> {
  const started = await bootstrap(config, services.admin, services.metadata)
  const app = await buildApp(
    {
      ...services,
      authenticate: (secret) => authenticate(services.metadata, secret, services.clock),
      ready: async () => {
        await services.metadata.check()
        await services.blobs.check()
        // SQLite and local blobs live in the data folder: below the floor, uploads would fail.
        if (config.storage.kind === 'local' || config.metadata.kind === 'sqlite') {
          await requireFreeSpace(config.dataDir, config.minFreeBytes)
        }
      },
    },
    {
      maxUploadBytes: config.maxUploadBytes,
      bodyIdleTimeoutMs: config.bodyIdleTimeoutMs,
      logger,
      metrics,
      metricsToken: config.metricsToken,
      rateLimits: config.rateLimits,
      trustProxy: config.trustProxy,
      web: { dir: config.webDir ?? defaultWebDir(), connectOrigins: connectOrigins(config) },
    },
  )
  return {
    app,
    services,
    bootstrap: started,
    async close() {
      await app.close()
      await services.close()
    },
  }
}

/**
 * The built UI: `web/` beside the running code (a packaged server), else packages/web/dist of this
 * repository (from src/ when run by tsx, from dist/ when compiled: both two levels below).
 */
function defaultWebDir(): string {
  const here = import.meta.dirname
  const packaged = join(here, 'web')
  return existsSync(join(packaged, 'index.html')) ? packaged : join(here, '..', '..', 'web', 'dist')
}

/** Where the UI's fetches go besides its own origin: signed URLs (public URL, S3 endpoint). */
function connectOrigins(config: Config): string[] {
  const origins = [new URL(config.publicUrl).origin]
  const storage = config.storage
  if (storage.kind !== 's3') return origins
  const endpoint = storage.endpoint ? new URL(storage.endpoint) : undefined
  if (!endpoint) return [...origins, 'https://*.amazonaws.com']
  origins.push(endpoint.origin)
  // Virtual-hosted buckets are a subdomain of the endpoint.
  if (!storage.forcePathStyle) origins.push(`${endpoint.protocol}//*.${endpoint.host}`)
  return origins
}

/** createServer, then listen on the configured host and port. */
export async function startServer(
  config: Config,
  options: CreateServerOptions = {},
): Promise<RunningServer> {
  const server = await createServer(config, options)
  try {
    const url = await server.app.listen({ host: config.host, port: config.port })
    const stopReaper = startReaper(server, config.reaperIntervalS)
    const stopDeletions = startDeletionRetries(server)
    const stopJobs = startJobs(server)
    const stopWebhooks = startWebhookWorker(server)
    return {
      ...server,
      url,
      async close() {
        stopReaper()
        stopDeletions()
        stopJobs()
        await stopWebhooks()
        await server.close()
      },
    }
  } catch (error) {
    await server.close()
    throw error
  }
}

/** Retries queued deletions of deleted files' bytes every few seconds, not hours. */
function startDeletionRetries(server: Server): () => void {
  const log = server.app.log
  const timer = setInterval(() => {
    server.services.deletions
      .retryDue()
      .then((done) => {
        if (done.deletedBlobs > 0) log.info(done, "deleted deleted files' bytes")
      })
      .catch((error: unknown) => log.warn({ err: error }, 'retrying deletions failed'))
  }, DELETION_RETRY_MS)
  timer.unref()
  return () => clearInterval(timer)
}

/** How often each process looks for webhook events to dispatch and deliveries due. */
export const WEBHOOK_POLL_MS = 1_000

/**
 * Runs the webhook worker every second, one round at a time (a slow receiver delays the next
 * round, never doubles it); the stop waits for the round in progress.
 */
function startWebhookWorker(server: Server): () => Promise<void> {
  const log = server.app.log
  let running: Promise<void> | undefined
  const timer = setInterval(() => {
    if (running) return
    running = server.services.webhookWorker
      .runOnce()
      .then((done) => {
        if (done.delivered + done.retried + done.failed > 0) log.info(done, 'webhook deliveries')
      })
      .catch((error: unknown) => log.warn({ err: error }, 'webhook delivery round failed'))
      .finally(() => {
        running = undefined
      })
  }, WEBHOOK_POLL_MS)
  timer.unref()
  return async () => {
    clearInterval(timer)
    await running
  }
}

/**
 * Resumes running jobs now (a restart after a crash) and every few seconds (jobs another process
 * left, or one whose batch failed on a database outage).
 */
function startJobs(server: Server): () => void {
  const log = server.app.log
  const resume = () => {
    server.services.jobs
      .resumeAll()
      .catch((error: unknown) => log.warn({ err: error }, 'resuming jobs failed'))
  }
  resume()
  const timer = setInterval(resume, JOB_RESUME_MS)
  timer.unref()
  return () => clearInterval(timer)
}

const JOB_RESUME_MS = 5_000

/**
 * Expires abandoned uploads every `intervalS` seconds (0: never), and sweeps blobs nothing refers
 * to once a day (it reads the whole store).
 */
function startReaper(server: Server, intervalS: number): () => void {
  if (intervalS <= 0) return () => {}
  const { reaper } = server.services
  const log = server.app.log
  let lastSweep = Date.now()
  const reap = async () => {
    const purged = await server.services.audit.purgeExpired()
    if (purged > 0) log.info({ purgedEvents: purged }, 'purged audit events past retention')
    const expired = await reaper.expireUploads()
    if (expired.expiredUploads > 0) log.info(expired, 'expired abandoned uploads')
    const trash = await server.services.trash.purgeExpired()
    if (trash.purgedItems > 0) log.info(trash, 'purged trash items past purge_at')
    if (Date.now() - lastSweep < 24 * 3600_000) return
    lastSweep = Date.now()
    const orphans = await reaper.sweepOrphans()
    if (orphans.orphanBlobs > 0) log.info(orphans, 'deleted orphaned blobs')
  }
  const timer = setInterval(() => {
    reap().catch((error: unknown) => log.warn({ err: error }, 'garbage collection failed'))
  }, intervalS * 1000)
  timer.unref()
  return () => clearInterval(timer)
}

/** How long a stop (SIGTERM, SIGINT) waits for requests in flight. */
const GRACE_S = 10

/** Reads the environment, starts, prints how to use the server, and stops cleanly on signals. */
export async function runServer(env: Readonly<Record<string, string | undefined>>): Promise<void> {
  let config: Config
  let clock: Clock
  try {
    config = loadConfig(env)
    clock = clockFromEnv(env)
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    process.stderr.write(`granary: ${error.message}\n`)
    process.exitCode = 2
    return
  }
  let server: RunningServer
  try {
    server = await startServer(config, { clock })
  } catch (error) {
    const message = listenFailure(error, config)
    if (!message) throw error
    process.stderr.write(`granary: ${message}\n`)
    process.exitCode = 1
    return
  }
  process.stdout.write(banner(config, server))
  const stop = async () => {
    // Requests in flight get a grace period; connections still open after it (a stalled body, a
    // client that stopped reading) are cut, so a stop never hangs on one client.
    const cut = setTimeout(() => {
      server.app.log.warn('requests still running %d s after the stop: cutting them', GRACE_S)
      server.app.server.closeAllConnections()
    }, GRACE_S * 1000)
    cut.unref()
    await server.close()
    process.exit(0)
  }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

/** A port that is taken or forbidden, said with the setting that changes it. */
function listenFailure(error: unknown, config: Config): string | undefined {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'EADDRINUSE') {
    return `port ${config.port} on ${config.host} is already in use (another Granary or another program): stop it, or pick another port with PORT (PORT=8081 npm start, or granary serve --port 8081).`
  }
  if (code === 'EACCES') {
    return `no permission to listen on port ${config.port}: pick a port above 1023 with PORT (or granary serve --port).`
  }
  return undefined
}

function banner(config: Config, server: RunningServer): string {
  const key = server.bootstrap.newAdminKey
  const keyLine = key
    ? `  admin key:  ${key}\n              (shown once; also saved to ${server.bootstrap.adminKeyFile}, mode 0600)\n`
    : config.adminKey
      ? '  admin key:  from GRANARY_ADMIN_KEY\n'
      : `  admin key:  in ${server.bootstrap.adminKeyFile}\n`
  const shownKey =
    key ?? (config.adminKey ? '$GRANARY_ADMIN_KEY' : `$(cat ${server.bootstrap.adminKeyFile})`)
  return [
    '',
    `Granary is listening on ${config.publicUrl}`,
    `  data:       ${config.dataDir}`,
    `  workspace:  ${DEFAULT_WORKSPACE}`,
    keyLine,
    `Open ${config.publicUrl}/ in a browser and sign in with the admin key.`,
    '',
    'Try it:',
    `  curl -H "Authorization: Bearer ${shownKey}" "${config.publicUrl}/v1/files?workspace_id=${DEFAULT_WORKSPACE}"`,
    `  API docs: ${config.publicUrl}/docs`,
    '',
    '',
  ].join('\n')
}
