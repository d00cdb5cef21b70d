/**
 * The audit trail over HTTP, on every backend: each mutating call and each link issued leaves one
 * event naming the key, the client address and the request id; refused attempts are recorded as
 * denied; GET /v1/audit filters and pages; no secret, signature or link is ever in an event.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import type { auditResponse, Wire } from '@granary/protocol'
import { backendMatrix } from '../support/backends.ts'
import { assertError } from '../support/http-assertions.ts'
import {
  ADMIN_KEY,
  createWorkspace,
  startTestServer,
  type TestServer,
  uploadForm,
} from '../support/test-server.ts'

type Page = Wire<typeof auditResponse>
type Event = Page['events'][number]

for (const backend of backendMatrix()) {
  describe(`audit trail (${backend.name})`, () => {
    let server: TestServer
    const ws = 'ws_audit'
    const other = 'ws_audit_other'
    before(async () => {
      server = await startTestServer(backend)
      for (const id of [ws, other]) await createWorkspace(server, id)
    })
    after(() => server.close())

    const audit = async (query: Record<string, string> = {}, as?: string): Promise<Page> => {
      const response = await server.request({
        method: 'GET',
        url: '/v1/audit',
        query: { limit: '1000', ...query },
        ...(as ? { as } : {}),
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json() as Page
    }
    const byRequest = async (requestId: unknown): Promise<Event[]> =>
      (await audit({ order: 'asc' })).events.filter((e) => e.request_id === requestId)

    test('each change and each link is one event with the key, address and request id', async () => {
      const secret = await server.key(['files'], [ws])
      const seen: Array<[string, unknown]> = []
      const uploaded = await uploadForm(server, {
        workspaceId: ws,
        path: 'raw',
        filename: 'a.txt',
        content: 'one',
        as: secret,
      })
      assert.equal(uploaded.statusCode, 201, uploaded.body)
      seen.push(['file.upload', uploaded.headers['x-request-id']])
      const replaced = await uploadForm(server, {
        workspaceId: ws,
        path: 'raw',
        filename: 'a.txt',
        content: 'two!',
        as: secret,
        fields: { overwrite: 'true' },
      })
      assert.equal(replaced.statusCode, 201, replaced.body)
      seen.push(['file.replace', replaced.headers['x-request-id']])
      const link = await server.request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: ws, key: 'raw/a.txt' },
        as: secret,
      })
      assert.equal(link.statusCode, 200, link.body)
      seen.push(['link.issue', link.headers['x-request-id']])
      const started = await server.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: ws, filename: 'b.bin', size: 5, multipart: true },
        as: secret,
      })
      assert.equal(started.statusCode, 201, started.body)
      seen.push(['upload.start', started.headers['x-request-id']])
      const aborted = await server.request({
        method: 'DELETE',
        url: `/v1/files/uploads/${started.json().uploadId}`,
        query: { workspace_id: ws },
        as: secret,
      })
      assert.equal(aborted.statusCode, 204, aborted.body)
      seen.push(['upload.abort', aborted.headers['x-request-id']])
      const deleted = await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: ws, key: 'raw/a.txt' },
        as: secret,
      })
      assert.equal(deleted.statusCode, 204, deleted.body)
      seen.push(['file.delete', deleted.headers['x-request-id']])

      const keyId = (await server.request({ method: 'GET', url: '/v1/me', as: secret })).json().key
        .id as string
      for (const [action, requestId] of seen) {
        const events = await byRequest(requestId)
        assert.equal(events.length, 1, `${action}: ${JSON.stringify(events)}`)
        const [event] = events
        assert.equal(event?.action, action)
        assert.equal(event?.outcome, 'ok')
        assert.equal(event?.actor_key_id, keyId)
        assert.equal(event?.actor_key_name, 'test')
        assert.equal(event?.workspace_id, ws)
        assert.ok(event?.ip, `${action} records the client address`)
      }
      const [replace] = await byRequest(replaced.headers['x-request-id'])
      assert.equal(replace?.key, 'raw/a.txt')
      assert.equal(replace?.size, 4)
      assert.ok(replace?.version_id)

      // Nothing secret: not the key, not the link, not its signature.
      const all = JSON.stringify(await audit())
      const url = link.json().url as string
      const parsed = new URL(url)
      // A direct URL signs in its query; a Granary link in its path's token.
      const signed = parsed.search.slice(1) || (parsed.pathname.split('/')[3] ?? '')
      assert.ok(signed.length > 10)
      for (const secretText of [secret, ADMIN_KEY, url, signed, 'http']) {
        assert.ok(!all.includes(secretText), `an event holds ${secretText.slice(0, 20)}...`)
      }
    })

    test('keys: create and revoke are recorded with the key id, never its secret', async () => {
      const created = await server.request({
        method: 'POST',
        url: '/v1/keys',
        json: { name: 'short-lived', scopes: ['files:read'], workspace_ids: [ws] },
      })
      assert.equal(created.statusCode, 201, created.body)
      const { id, secret } = created.json() as { id: string; secret: string }
      const revoked = await server.request({ method: 'DELETE', url: `/v1/keys/${id}` })
      assert.equal(revoked.statusCode, 204, revoked.body)
      const events = (await audit({ action: 'key.create,key.revoke', order: 'asc' })).events
      const mine = events.filter((e) => e.key === id).map((e) => e.action)
      assert.deepEqual(mine, ['key.create', 'key.revoke'])
      assert.ok(!JSON.stringify(events).includes(secret))
    })

    test('refused deletes are recorded as denied; nothing is deleted', async () => {
      const uploaded = await uploadForm(server, {
        workspaceId: ws,
        filename: 'keep.txt',
        content: 'k',
      })
      assert.equal(uploaded.statusCode, 201, uploaded.body)
      const reader = await server.key(['files:read'], [ws])
      const noScope = await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: ws, key: 'keep.txt' },
        as: reader,
      })
      assertError(noScope, 403, 'insufficient_scope')
      const outsider = await server.key(['files'], [other])
      const notGranted = await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: ws, key: 'keep.txt' },
        as: outsider,
      })
      assertError(notGranted, 404, 'workspace_not_found')
      for (const response of [noScope, notGranted]) {
        const [event] = await byRequest(response.headers['x-request-id'])
        assert.deepEqual(
          [event?.action, event?.outcome, event?.workspace_id, event?.key],
          ['file.delete', 'denied', ws, 'keep.txt'],
        )
      }
      const still = await server.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: ws, prefix: 'keep.txt' },
      })
      assert.equal(still.json().files.length, 1)
    })

    test('GET /v1/audit: admin or audit:read; a limited key sees only its workspaces', async () => {
      const filesKey = await server.key(['files'], [ws])
      assertError(
        await server.request({ method: 'GET', url: '/v1/audit', as: filesKey }),
        403,
        'insufficient_scope',
      )
      const auditor = await server.key(['audit:read'], [other])
      await uploadForm(server, { workspaceId: other, filename: 'o.txt', content: 'o' })
      const page = await audit({}, auditor)
      assert.ok(page.events.length > 0)
      assert.ok(
        page.events.every((e) => e.workspace_id === other),
        JSON.stringify(page.events),
      )
      assertError(
        await server.request({
          method: 'GET',
          url: '/v1/audit',
          query: { workspace_id: ws },
          as: auditor,
        }),
        404,
        'workspace_not_found',
      )
    })

    test('filters, both orders and cursors page through the whole log', async () => {
      const all = (await audit({ order: 'asc' })).events
      const seqs = all.map((e) => e.seq)
      assert.deepEqual(
        seqs,
        [...seqs].sort((a, b) => a - b),
      )
      const walked: Event[] = []
      let cursor: string | null = null
      do {
        const page: Page = await audit({ order: 'asc', limit: '4', ...(cursor ? { cursor } : {}) })
        walked.push(...page.events)
        cursor = page.next_cursor
      } while (cursor)
      assert.deepEqual(
        walked.map((e) => e.id),
        all.map((e) => e.id),
      )
      const newest = await audit({ limit: '2' })
      assert.deepEqual(
        newest.events.map((e) => e.id),
        all
          .slice(-2)
          .reverse()
          .map((e) => e.id),
      )
      assert.ok(newest.next_cursor)
      const deletes = await audit({ action: 'file.delete', workspace_id: ws })
      assert.ok(deletes.events.length >= 1)
      assert.ok(deletes.events.every((e) => e.action === 'file.delete' && e.workspace_id === ws))
      const raw = await audit({ key_prefix: 'raw/' })
      assert.ok(raw.events.length > 0 && raw.events.every((e) => e.key?.startsWith('raw/')))
      const actor = all.find((e) => e.actor_key_id)?.actor_key_id ?? ''
      const byActor = await audit({ actor_key_id: actor })
      assert.ok(byActor.events.every((e) => e.actor_key_id === actor))
      const future = new Date(Date.now() + 3600_000).toISOString()
      assert.deepEqual((await audit({ since: future })).events, [])
      assert.equal((await audit({ until: future })).events.length, all.length)
      const bad = await server.request({
        method: 'GET',
        url: '/v1/audit',
        query: { action: 'file.explode' },
      })
      assert.match(assertError(bad, 400, 'invalid_request').message, /file\.explode/)
      assertError(
        await server.request({ method: 'GET', url: '/v1/audit', query: { cursor: 'abc' } }),
        400,
        'invalid_request',
      )
    })

    test('events older than GRANARY_AUDIT_DAYS are purged by the background pass', async () => {
      const before = (await audit()).events.length
      assert.ok(before > 0)
      server.clock.advance(366 * 24 * 3600_000)
      try {
        assert.equal(await server.server.services.audit.purgeExpired(), before)
        assert.deepEqual(
          (await audit()).events.filter((e) => e.action !== 'link.issue'),
          [],
        )
      } finally {
        server.clock.advance(-366 * 24 * 3600_000)
      }
    })
  })
}
