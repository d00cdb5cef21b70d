/**
 * GET /v1/me: any valid key learns its own name, scopes and expiry and the workspaces it may use,
 * and nothing about workspaces it was not granted.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { MeResponse } from '@granary/protocol'
import { backendMatrix } from '../support/backends.ts'
import { assertError } from '../support/http-assertions.ts'
import { startTestServer, type TestServer } from '../support/test-server.ts'

for (const backend of backendMatrix()) {
  describe(`GET /v1/me (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend)
      for (const [id, name] of [
        ['ws_me_a', 'Alpha lab'],
        ['ws_me_b', 'Beta lab'],
      ]) {
        const made = await server.request({
          method: 'POST',
          url: '/v1/workspaces',
          json: { id, name },
        })
        assert.equal(made.statusCode, 201, made.body)
      }
    })
    after(() => server.close())

    /** Asks as `as`; the admin key when omitted. */
    const me = (as?: string | null) =>
      server.request({ method: 'GET', url: '/v1/me', ...(as === undefined ? {} : { as }) })

    test('a files:read key sees its own key and only its granted workspaces', async () => {
      const expiresAt = new Date(Date.now() + 86_400_000).toISOString()
      const created = await server.request({
        method: 'POST',
        url: '/v1/keys',
        json: {
          name: 'pipeline reader',
          scopes: ['files:read'],
          workspace_ids: ['ws_me_b'],
          expires_at: expiresAt,
        },
      })
      assert.equal(created.statusCode, 201, created.body)
      const key = created.json() as { id: string; secret: string; created_at: string }
      const response = await me(key.secret)
      assert.equal(response.statusCode, 200, response.body)
      const body = response.json() as MeResponse
      assert.deepEqual(body, {
        key: {
          id: key.id,
          name: 'pipeline reader',
          scopes: ['files:read'],
          expires_at: expiresAt,
          created_at: key.created_at,
        },
        workspaces: [{ id: 'ws_me_b', name: 'Beta lab' }],
      })
    })

    test('a key granted every workspace lists them all', async () => {
      const response = await me()
      assert.equal(response.statusCode, 200, response.body)
      const body = response.json() as MeResponse
      assert.ok(body.key.scopes.includes('admin'))
      assert.equal(body.key.expires_at, null)
      const ids = body.workspaces.map((w) => w.id).sort()
      assert.deepEqual(ids, ['ws_default', 'ws_me_a', 'ws_me_b'])
      assert.deepEqual(Object.keys(body.workspaces[0] ?? {}).sort(), ['id', 'name'])
    })

    test('/openapi.json documents it with the Me schema', async () => {
      const doc = (await server.request({ method: 'GET', url: '/openapi.json' })).json() as {
        paths: Record<string, { get?: { summary?: string; responses?: Record<string, unknown> } }>
        components: { schemas: Record<string, { required?: string[] }> }
      }
      const get = doc.paths['/v1/me']?.get
      assert.ok(get?.summary, 'GET /v1/me has a summary')
      assert.match(JSON.stringify(get?.responses?.['200']), /Me/)
      assert.deepEqual(doc.components.schemas.Me?.required, ['key', 'workspaces'])
    })

    test('no key or an unknown key → 401 unauthenticated', async () => {
      assertError(await me(null), 401, 'unauthenticated')
      assertError(await me('gr_not_a_real_key_000000000000'), 401, 'unauthenticated')
    })

    test('a revoked key → 401', async () => {
      const secret = await server.key(['files'], ['ws_me_a'])
      assert.equal((await me(secret)).statusCode, 200)
      const keys = (await server.request({ method: 'GET', url: '/v1/keys' })).json() as {
        keys: Array<{ id: string; name: string; revoked_at: string | null }>
      }
      const mine = (await me(secret)).json() as MeResponse
      const revoked = await server.request({ method: 'DELETE', url: `/v1/keys/${mine.key.id}` })
      assert.equal(revoked.statusCode, 204)
      assert.ok(keys.keys.some((k) => k.id === mine.key.id))
      assertError(await me(secret), 401, 'unauthenticated')
    })
  })
}
