/**
 * Throttling with @fastify/rate-limit (issue #11): failed authentications per client address, and
 * an optional request rate per API key. Both count in this process's memory: with N processes a
 * client gets up to N times the limit (see docs/deploy-production.md).
 */
import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../domain/errors.ts'

export interface RateLimitSettings {
  /** Failed authentications a client address may make per window before 429 (0: no limit). */
  readonly authFailures: number
  readonly authWindowS: number
  /** Requests an API key may make per window (0: no limit). */
  readonly keyRequests: number
  readonly keyWindowS: number
}

export interface RateLimits {
  /** Refuses an address that already failed too often, before its key is even looked up. */
  beforeAuthentication(request: FastifyRequest, reply: FastifyReply): Promise<void>
  /** Counts a failed authentication of the request's address. */
  afterFailure(request: FastifyRequest): Promise<void>
  /** Counts a request of `keyId`; refuses it over the key's rate. */
  perKey(request: FastifyRequest, reply: FastifyReply, keyId: string): Promise<void>
}

/** No throttling (unit tests of other hooks). */
export const NO_LIMITS: RateLimits = {
  beforeAuthentication: async () => {},
  afterFailure: async () => {},
  perKey: async () => {},
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>

function rateLimited(reply: FastifyReply, seconds: number, what: string): AppError {
  const retryAfter = Math.max(1, seconds)
  reply.header('retry-after', String(retryAfter))
  return new AppError('rate_limited', `${what}; retry in ${retryAfter} s.`, {
    details: { retry_after_s: retryAfter },
  })
}

export async function installRateLimits(
  app: FastifyInstance,
  settings: RateLimitSettings,
): Promise<RateLimits> {
  await app.register(rateLimit, { global: false })
  const keyIds = new WeakMap<FastifyRequest, string>()
  const failures: Limiter | undefined =
    settings.authFailures > 0
      ? app.createRateLimit({
          max: settings.authFailures,
          timeWindow: settings.authWindowS * 1000,
          keyGenerator: (request) => `auth-failures:${request.ip}`,
        })
      : undefined
  const perKey: Limiter | undefined =
    settings.keyRequests > 0
      ? app.createRateLimit({
          max: settings.keyRequests,
          timeWindow: settings.keyWindowS * 1000,
          keyGenerator: (request) => `key:${keyIds.get(request)}`,
        })
      : undefined
  return {
    async beforeAuthentication(request, reply) {
      const state = await failures?.(request, { increment: false })
      if (state && !state.isAllowed && state.remaining === 0) {
        throw rateLimited(
          reply,
          state.ttlInSeconds,
          'Too many failed authentications from this address',
        )
      }
    },
    async afterFailure(request) {
      await failures?.(request)
    },
    async perKey(request, reply, keyId) {
      if (!perKey) return
      keyIds.set(request, keyId)
      const state = await perKey(request)
      if (!state.isAllowed && state.isExceeded) {
        throw rateLimited(reply, state.ttlInSeconds, 'This API key made too many requests')
      }
    },
  }
}
