/**
 * Authentication, once per request, before the body is read: every route says in its config
 * what it needs (`config: { auth: 'files:read' }`), and one onRequest hook resolves the bearer key
 * and checks that permission. Handlers read `request.principal`. The domain checks permissions
 * and workspaces again on its own; this hook only makes sure no route can forget the key.
 */
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify'
import {
  hasPermission,
  type Permission,
  type Principal,
  requirePermission,
  withOrigin,
} from '../domain/auth.ts'
import { isAppError } from '../domain/errors.ts'
import type { DeniedRecorder } from './audit-denials.ts'
import { NO_LIMITS, type RateLimits } from './rate-limits.ts'

export type Authenticate = (secret: string | undefined) => Promise<Principal>

/**
 * What a route needs: a permission, `key` (any valid key), or `public` (no key: health checks,
 * and signed URLs whose signature is the grant).
 */
export type RouteAuth = Permission | 'key' | 'public'

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: RouteAuth
  }
  interface FastifyRequest {
    /** The caller's key; only on routes whose `config.auth` asks for one. */
    readonly principal: Principal
  }
}

/** The bearer secret of `Authorization: Bearer <key>`, if any. */
export function bearerSecret(request: {
  headers: { authorization?: string | undefined }
}): string | undefined {
  const header = request.headers.authorization
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i)
  return match?.[1]
}

/** The key each authenticated request was made with. */
const principals = new WeakMap<FastifyRequest, Principal>()

/** The id of the key `request` was authenticated with, if any (its log line names it). */
export function callerKeyId(request: FastifyRequest): string | undefined {
  return principals.get(request)?.keyId
}

export function installRequestAuth(
  app: FastifyInstance,
  authenticate: Authenticate,
  limits: RateLimits = NO_LIMITS,
  onDenied?: DeniedRecorder,
): void {
  app.decorateRequest('principal', {
    getter(this: FastifyRequest): Principal {
      const principal = principals.get(this)
      if (principal) return principal
      throw new Error(`Route ${this.routeOptions.url} reads the principal without config.auth.`)
    },
  })
  app.addHook('onRoute', requireAuthConfig)
  app.addHook('onRequest', async (request, reply) => {
    const auth = request.routeOptions.config.auth
    if (auth === undefined || auth === 'public') return
    await limits.beforeAuthentication(request, reply)
    const principal = await authenticate(bearerSecret(request)).catch(async (error: unknown) => {
      if (isAppError(error, 'unauthenticated')) await limits.afterFailure(request)
      throw error
    })
    await limits.perKey(request, reply, principal.keyId)
    const seen = withOrigin(principal, { ip: request.ip, requestId: request.id })
    if (auth !== 'key' && !hasPermission(principal, auth)) {
      await onDenied?.(request, seen)
      requirePermission(principal, auth)
    }
    principals.set(request, seen)
  })
}

/**
 * Every API route declares its auth, so a new route cannot go unauthenticated by omission. Routes
 * the OpenAPI document marks public (`security: []`) and undocumented ones (/docs) need none.
 */
function requireAuthConfig(route: RouteOptions): void {
  const schema = route.schema as { operationId?: string; security?: unknown[] } | undefined
  const operationId = schema?.operationId
  if (!operationId) return
  const declared = (route.config as { auth?: RouteAuth } | undefined)?.auth
  const isPublic = Array.isArray(schema.security) && schema.security.length === 0
  if (declared === undefined && !isPublic) {
    throw new Error(`Route ${operationId} (${route.url}) must declare config.auth.`)
  }
  route.childLoggerFactory = (logger, bindings, options) =>
    logger.child({ ...bindings, operation: operationId }, options)
}
