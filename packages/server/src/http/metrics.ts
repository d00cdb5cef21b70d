/**
 * /metrics and the hooks that feed it: every answered request is counted by its operationId and
 * status with its duration and bytes; requests carrying file bytes are gauged while they run;
 * store errors are counted by store and code. Readable with an admin key, or with
 * GRANARY_METRICS_TOKEN for a Prometheus that should hold no API key.
 */
import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { requirePermission } from '../domain/auth.ts'
import { isAppError } from '../domain/errors.ts'
import type { ServerMetrics } from '../server-metrics.ts'
import { type Authenticate, bearerSecret } from './request-auth.ts'
import { requestBytes } from './request-bytes.ts'
import { completionFields } from './request-log.ts'

export interface MetricsOptions {
  readonly metrics: ServerMetrics
  /** A bearer token that may read /metrics besides admin keys. */
  readonly token: string | undefined
}

/** The operations whose requests carry file bytes in (gauged as uploads in flight). */
const UPLOAD_OPERATIONS = new Set(['files.upload', 'transfers.upload', 'transfers.uploadPart'])

export function installMetrics(
  app: FastifyInstance,
  authenticate: Authenticate,
  options: MetricsOptions,
): void {
  const { metrics } = options
  const recorded = new WeakSet<FastifyRequest>()
  const replies = new WeakMap<FastifyRequest, FastifyReply>()
  const record = (request: FastifyRequest, reply: FastifyReply, status: string) => {
    if (recorded.has(request)) return
    recorded.add(request)
    metrics.recordRequest({
      operation: operationOf(request),
      method: request.method,
      status,
      seconds: reply.elapsedTime / 1000,
      ...requestBytes(request, reply),
    })
  }
  // Callback-style: an async hook would cost a promise per request for nothing awaited.
  app.addHook('onRequest', (request, reply, done) => {
    replies.set(request, reply)
    // 'close' comes once the answer is sent or the connection is gone, whichever happens.
    if (UPLOAD_OPERATIONS.has(operationOf(request)))
      reply.raw.once('close', metrics.uploadStarted())
    done()
  })
  app.addHook('onResponse', (request, reply, done) => {
    record(request, reply, String(reply.statusCode))
    done()
  })
  app.addHook('onRequestAbort', async (request) => {
    const reply = replies.get(request)
    if (!reply || recorded.has(request)) return
    record(request, reply, 'aborted')
    request.log.info(completionFields(request, reply), 'request aborted by the client')
  })
  app.addHook('onError', async (_request, _reply, error) => {
    metrics.countError(isAppError(error) ? error.code : 'internal_error')
  })
  metricsRoute(app, authenticate, options)
}

function metricsRoute(app: FastifyInstance, authenticate: Authenticate, options: MetricsOptions) {
  app.get(
    '/metrics',
    {
      // The key check is the handler's: the metrics token is not an API key.
      config: { auth: 'public' },
      schema: {
        operationId: 'service.metrics',
        tags: ['service'],
        security: [{ bearer: [] }],
        summary:
          'Prometheus metrics (text format); an admin key or GRANARY_METRICS_TOKEN as the bearer.',
      },
    },
    async (request, reply) => {
      const secret = bearerSecret(request)
      if (!(options.token && secret && sameSecret(secret, options.token))) {
        requirePermission(await authenticate(secret), 'admin')
      }
      return reply
        .header('content-type', options.metrics.contentType)
        .header('cache-control', 'no-store')
        .send(await options.metrics.text())
    },
  )
}

function operationOf(request: FastifyRequest): string {
  const schema = request.routeOptions.schema as { operationId?: string } | undefined
  return schema?.operationId ?? 'unknown'
}

/** Constant-time comparison of two secrets (their lengths may differ). */
function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}
