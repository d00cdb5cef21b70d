/**
 * Links that can be taken back, on every backend: revoking an API key stops every link it asked
 * for, POST /v1/files/revoke-links stops every link to one file, both at once and on the next
 * request. Granary links (all backends; a 307 to S3) and the local backend's direct URLs check it
 * on every request; a direct presigned S3 URL cannot be revoked and works until it expires
 * (docs/storage-s3.md says so).
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { assertError } from '../support/http-assertions.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

for (const backend of backendMatrix()) {
  const local = !backend.name.endsWith('+s3')
  describe(`links that can be taken back (${backend.name})`, () => {
    let server: TestServer
    const ws = 'ws_default'
    before(async () => {
      server = await startTestServer(backend)
      for (const name of ['a.txt', 'b.txt']) {
        const made = await uploadForm(server, { workspaceId: ws, filename: name, content: name })
        assert.equal(made.statusCode, 201, made.body)
      }
    })
    after(() => server.close())

    /** A download URL for `key` (`kind` of link), asked by `as` (the admin key when omitted). */
    const link = async (key: string, as?: string, kind = 'direct'): Promise<string> => {
      const response = await server.request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: ws, key, link: kind },
        ...(as ? { as } : {}),
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json().url as string
    }
    const revokeLinks = (key: string, as?: string) =>
      server.request({
        method: 'POST',
        url: '/v1/files/revoke-links',
        json: { workspace_id: ws, key },
        ...(as ? { as } : {}),
      })

    /** Follows a link to its bytes: a Granary link on S3 answers 307 to a presigned URL. */
    const follow = async (url: string) => {
      const first = await server.fetchSigned(url)
      return first.status === 307 ? server.fetchSigned(first.headers.location ?? '') : first
    }
    const refusedAsRevoked = (response: { status: number; body: Buffer }) => {
      assert.equal(response.status, 403, response.body.toString())
      assert.equal(JSON.parse(response.body.toString()).error.code, 'link_revoked')
    }

    test('revoking a key stops its Granary links on every backend', async () => {
      const created = await server.request({
        method: 'POST',
        url: '/v1/keys',
        json: { name: 'leaky-granary', scopes: ['files:read'], workspace_ids: [ws] },
      })
      const { id, secret } = created.json() as { id: string; secret: string }
      const leaked = await link('a.txt', secret, 'granary')
      const admins = await link('a.txt', undefined, 'granary')
      assert.equal((await follow(leaked)).status, 200)
      await server.request({ method: 'DELETE', url: `/v1/keys/${id}` })
      refusedAsRevoked(await server.fetchSigned(leaked))
      assert.equal((await follow(admins)).body.toString(), 'a.txt')
    })

    test('revoke-links stops the Granary links to the file on every backend', async () => {
      const before = await link('b.txt', undefined, 'granary')
      assert.equal((await revokeLinks('b.txt')).statusCode, 200)
      refusedAsRevoked(await server.fetchSigned(before))
      const fresh = await follow(await link('b.txt', undefined, 'granary'))
      assert.equal(fresh.body.toString(), 'b.txt')
    })

    test('revoking a key stops the links it asked for at once; others keep working', async () => {
      const created = await server.request({
        method: 'POST',
        url: '/v1/keys',
        json: { name: 'leaky', scopes: ['files:read'], workspace_ids: [ws] },
      })
      const { id, secret } = created.json() as { id: string; secret: string }
      const leaked = await link('a.txt', secret)
      const admins = await link('a.txt')
      assert.equal((await server.fetchSigned(leaked)).status, 200)
      const revoked = await server.request({ method: 'DELETE', url: `/v1/keys/${id}` })
      assert.equal(revoked.statusCode, 204)
      const after = await server.fetchSigned(leaked)
      if (local) {
        assert.equal(after.status, 403)
        assert.equal(JSON.parse(after.body.toString()).error.code, 'link_revoked')
      } else {
        // A presigned S3 URL is checked by S3 alone: it works until it expires.
        assert.equal(after.status, 200)
      }
      const other = await server.fetchSigned(admins)
      assert.equal(other.status, 200)
      assert.equal(other.body.toString(), 'a.txt')
    })

    test("revoking a key stops its upload URLs and part URLs; another key's keep working", async () => {
      const created = await server.request({
        method: 'POST',
        url: '/v1/keys',
        json: { name: 'leaky-uploader', scopes: ['files:write'], workspace_ids: [ws] },
      })
      const { id, secret } = created.json() as { id: string; secret: string }
      const start = async (json: Record<string, unknown>, as?: string) => {
        const response = await server.request({
          method: 'POST',
          url: '/v1/files/upload-url',
          json: { workspace_id: ws, ...json },
          ...(as ? { as } : {}),
        })
        assert.equal(response.statusCode, 201, response.body)
        return response.json()
      }
      const single = await start({ filename: 'leaked-put.txt', size: 5 }, secret)
      const theirs = await start({ filename: 'admins-put.txt', size: 5 })
      const MiB = 1024 * 1024
      const session = await start(
        { filename: 'leaked-parts.bin', size: 5 * MiB + 1, multipart: true, part_size: 5 * MiB },
        secret,
      )
      const signed = await server.request({
        method: 'POST',
        url: `/v1/files/uploads/${session.uploadId}/parts`,
        json: { workspace_id: ws, part_numbers: [1] },
        as: secret,
      })
      assert.equal(signed.statusCode, 200, signed.body)
      const [part] = signed.json().parts

      assert.equal(
        (await server.request({ method: 'DELETE', url: `/v1/keys/${id}` })).statusCode,
        204,
      )
      const put = (info: { uploadUrl: string; headers: Record<string, string> }) =>
        server.fetchSigned(info.uploadUrl, {
          method: 'PUT',
          headers: info.headers,
          body: Buffer.from('hello'),
        })
      const leakedPut = await put(single)
      const leakedPart = await server.fetchSigned(part.url, {
        method: 'PUT',
        headers: part.headers,
        body: Buffer.alloc(5 * MiB, 1),
      })
      if (local) {
        refusedAsRevoked(leakedPut)
        refusedAsRevoked(leakedPart)
      } else {
        // Presigned S3 PUTs are checked by S3 alone, like presigned downloads.
        assert.ok(leakedPut.status < 300, String(leakedPut.status))
      }
      const kept = await put(theirs)
      assert.ok(kept.status < 300, `${kept.status} ${kept.body.toString()}`)
    })

    test('revoke-links stops every link to one file, not to others; new links work', async () => {
      const before = await link('a.txt')
      const sibling = await link('b.txt')
      const response = await revokeLinks('a.txt')
      assert.equal(response.statusCode, 200, response.body)
      const body = response.json() as { workspace_id: string; key: string; revoked_at: string }
      assert.deepEqual([body.workspace_id, body.key], [ws, 'a.txt'])
      assert.ok(Date.parse(body.revoked_at) > 0)
      const old = await server.fetchSigned(before)
      assert.equal(old.status, local ? 403 : 200)
      if (local) assert.equal(JSON.parse(old.body.toString()).error.code, 'link_revoked')
      assert.equal((await server.fetchSigned(sibling)).status, 200)
      const fresh = await server.fetchSigned(await link('a.txt'))
      assert.equal(fresh.status, 200)
      assert.equal(fresh.body.toString(), 'a.txt')
      const events = await server.request({
        method: 'GET',
        url: '/v1/audit',
        query: { action: 'links.revoke' },
      })
      const [event] = events.json().events
      assert.deepEqual([event.key, event.outcome], ['a.txt', 'ok'])
    })

    test('a link cannot be re-granted by editing it', async () => {
      if (!local) return
      await revokeLinks('b.txt')
      const stale = new URL(await link('b.txt'))
      stale.searchParams.set('gen', '0')
      const response = await server.fetchSigned(stale.toString())
      assert.equal(response.status, 403)
      assert.equal(JSON.parse(response.body.toString()).error.code, 'invalid_signature')
    })

    test('revoke-links needs files:delete on the workspace; a missing file is 404', async () => {
      const reader = await server.key(['files:read'], [ws])
      const refused = await revokeLinks('a.txt', reader)
      assertError(refused, 403, 'insufficient_scope')
      const denied = await server.request({
        method: 'GET',
        url: '/v1/audit',
        query: { action: 'links.revoke' },
      })
      assert.ok(
        denied
          .json()
          .events.some(
            (e: { request_id: string; outcome: string }) =>
              e.request_id === refused.headers['x-request-id'] && e.outcome === 'denied',
          ),
      )
      assertError(await revokeLinks('missing.txt'), 404, 'file_not_found')
      const made = await server.request({
        method: 'POST',
        url: '/v1/workspaces',
        json: { id: 'ws_links_other', name: 'other' },
      })
      assert.equal(made.statusCode, 201, made.body)
      const outsider = await server.key(['files'], ['ws_links_other'])
      assertError(await revokeLinks('a.txt', outsider), 404, 'workspace_not_found')
      const deleter = await server.key(['files:delete'], [ws])
      assert.equal((await revokeLinks('a.txt', deleter)).statusCode, 200)
    })
  })
}
