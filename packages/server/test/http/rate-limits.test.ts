/**
 * Throttling (issue #11): failed authentications per client address answer 429 rate_limited with
 * Retry-After once over the limit, even for a right key from that address (so guessing gains
 * nothing); each API key may have a request rate. Limits come from GRANARY_RATE_LIMIT_*.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { backendMatrix } from '../support/backends.ts'
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/test-server.ts'

const WINDOW_S = 600

function assertRateLimited(response: LightMyRequestResponse, context: string) {
  assert.equal(response.statusCode, 429, `${context}: ${response.body}`)
  const error = response.json().error
  assert.equal(error.code, 'rate_limited', context)
  const retryAfter = Number(response.headers['retry-after'])
  assert.ok(retryAfter >= 1 && retryAfter <= WINDOW_S, `${context}: Retry-After ${retryAfter}`)
  assert.equal(error.details.retry_after_s, retryAfter)
}

for (const backend of backendMatrix()) {
  describe(`Rate limits (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend, {
        GRANARY_RATE_LIMIT_AUTH_FAILURES: '5',
        GRANARY_RATE_LIMIT_AUTH_WINDOW_S: String(WINDOW_S),
        GRANARY_RATE_LIMIT_KEY_REQUESTS: '4',
        GRANARY_RATE_LIMIT_KEY_WINDOW_S: String(WINDOW_S),
      })
    })
    after(() => server.close())

    const list = (key: string, remoteAddress: string) =>
      server.app.inject({
        method: 'GET',
        url: '/v1/files?workspace_id=ws_default',
        headers: { authorization: `Bearer ${key}` },
        remoteAddress,
      })

    test('failed authentications from one address → 429 rate_limited after the limit', async () => {
      const attacker = '192.0.2.7'
      for (let i = 0; i < 5; i++) {
        const response = await list(`gr_wrong${i}`, attacker)
        assert.equal(response.statusCode, 401, response.body)
      }
      assertRateLimited(await list('gr_wrong-again', attacker), 'sixth wrong key')
      // A right guess after the limit learns nothing either.
      assertRateLimited(await list(ADMIN_KEY, attacker), 'the right key from that address')
      const elsewhere = await list('gr_wrong', '192.0.2.8')
      assert.equal(elsewhere.statusCode, 401, 'another address is not limited')
    })

    test('each API key has its own request rate', async () => {
      const busy = await server.key(['files'], ['ws_default'])
      const calm = await server.key(['files'], ['ws_default'])
      for (let i = 0; i < 4; i++) {
        const response = await list(busy, '198.51.100.1')
        assert.equal(response.statusCode, 200, response.body)
      }
      assertRateLimited(await list(busy, '198.51.100.2'), 'fifth request of one key')
      assert.equal((await list(calm, '198.51.100.1')).statusCode, 200, 'another key is not limited')
    })
  })
}
