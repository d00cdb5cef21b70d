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
  const failing = new FailingAddresses(settings.authWindowS * 1000)
  return {
    async beforeAuthentication(request, reply) {
      // An address with no failure in the window has nothing to refuse: skip the limiter's read.
      if (!failing.has(request.ip)) return
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
      if (failures) failing.add(request.ip)
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

/**
 * The addresses that failed to authenticate within the window (by time of their last failure),
 * so the limiter is consulted only for them. Bounded: past `capacity` the longest-quiet address
 * is dropped, which costs at most one unchecked attempt before its next failure re-adds it.
 */
class FailingAddresses {
  readonly #windowMs: number
  readonly #capacity: number
  readonly #lastFailure = new Map<string, number>()

  constructor(windowMs: number, capacity = 10_000) {
    this.#windowMs = windowMs
    this.#capacity = capacity
  }

  has(ip: string): boolean {
    const at = this.#lastFailure.get(ip)
    if (at === undefined) return false
    if (Date.now() - at < this.#windowMs) return true
    this.#lastFailure.delete(ip)
    return false
  }

  add(ip: string): void {
    this.#lastFailure.delete(ip) // re-inserted last: the map's order is quietest first
    this.#lastFailure.set(ip, Date.now())
    const quietest = this.#lastFailure.keys().next().value
    if (this.#lastFailure.size > this.#capacity && quietest !== undefined) {
      this.#lastFailure.delete(quietest)
    }
  }
}
