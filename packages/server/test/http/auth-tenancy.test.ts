/**
 * Adversarial tests of who may do what: authentication, scopes on every route, workspace tenancy
 * (a workspace a key is not granted answers exactly like a missing one) and the admin API.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { backendMatrix } from '../support/backends.ts'
import { assertError, guardedFetch, guardedRequest } from '../support/http-assertions.ts'
import {
  ADMIN_KEY as ADMIN,
  startTestServer,
  type TestServer,
  uploadForm,
} from '../support/test-server.ts'

type Response = LightMyRequestResponse
type Permission = 'files:read' | 'files:write' | 'files:delete' | 'admin'

const SCOPES = ['files', 'files:read', 'files:write', 'files:delete', 'admin'] as const

/** Whether a key with `scope` may call a route needing `permission` (docs/api.md's table). */
function allows(scope: (typeof SCOPES)[number], permission: Permission): boolean {
  return scope === permission || (scope === 'files' && permission.startsWith('files:'))
}

for (const backend of backendMatrix()) {
  describe(`Authentication (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    before(async () => {
      server = await startTestServer(backend)
      send = guardedRequest(server)
    })
    after(() => server.close())

    const list = (as: string | null, headers: Record<string, string> = {}) =>
      send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default' },
        as,
        headers,
      })

    test('no Authorization header → 401 unauthenticated on every route', async () => {
      const requests = [
        { method: 'GET', url: '/v1/files?workspace_id=ws_default' },
        { method: 'GET', url: '/v1/files/download?workspace_id=ws_default&key=a.txt' },
        { method: 'DELETE', url: '/v1/files?workspace_id=ws_default&key=a.txt' },
        {
          method: 'POST',
          url: '/v1/files/upload-url',
          json: { workspace_id: 'ws_default', filename: 'a.bin', size: 1 },
        },
        {
          method: 'POST',
          url: '/v1/files/upload-confirm',
          json: { workspace_id: 'ws_default', file_key: 'a.bin', size: 1 },
        },
        { method: 'POST', url: '/v1/workspaces', json: { name: 'x' } },
        { method: 'GET', url: '/v1/workspaces' },
        { method: 'POST', url: '/v1/keys', json: { name: 'x', scopes: ['admin'] } },
        { method: 'GET', url: '/v1/keys' },
        { method: 'DELETE', url: '/v1/keys/key_whatever' },
      ] as const
      for (const request of requests) {
        const response = await send({ ...request, as: null })
        assertError(response, 401, 'unauthenticated', `${request.method} ${request.url}`)
      }
      const upload = await uploadForm(server, { filename: 'anon.txt', content: 'x', as: null })
      assertError(upload, 401, 'unauthenticated', 'form upload')
      const files = (await list(ADMIN)).json().files as Array<{ key: string }>
      assert.ok(!files.some((f) => f.key === 'anon.txt'), 'an anonymous upload was stored')
    })

    test('every documented route that is not public → 401 without a key, before validating input', async () => {
      const doc = (await send({ method: 'GET', url: '/openapi.json', as: null })).json()
      const paths = doc.paths as Record<string, Record<string, { security?: unknown[] }>>
      let checked = 0
      for (const [path, operations] of Object.entries(paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          if (operation.security?.length === 0) continue
          const url = `${path.replace(/\{[^}]+\}/g, 'x1')}?bogus_parameter=1`
          const withBody = ['post', 'put'].includes(method)
          const response = await send({
            method: method.toUpperCase() as 'GET',
            url,
            as: null,
            ...(withBody ? { json: { bogus_field: 1 } } : {}),
          })
          assertError(response, 401, 'unauthenticated', `${method} ${path}`)
          checked++
        }
      }
      assert.ok(checked >= 19, `only ${checked} routes checked`)
    })

    test('malformed Authorization headers → 401 unauthenticated', async () => {
      for (const authorization of [
        `Basic ${Buffer.from('user:pass').toString('base64')}`,
        'Bearer',
        'Bearer ',
        `Bearer ${ADMIN} extra`,
        `Token ${ADMIN}`,
        `${ADMIN}`,
        `Bearer${ADMIN}`,
        `Bearer "${ADMIN}"`,
      ]) {
        const response = await list(null, { authorization })
        assertError(response, 401, 'unauthenticated', authorization)
      }
    })

    test('an unknown key → 401 unauthenticated', async () => {
      for (const secret of ['gr_0000000000000000000000000000000000000000', 'x', `${ADMIN}x`]) {
        assertError(await list(secret), 401, 'unauthenticated', secret)
      }
    })

    test('a revoked key is refused on the very next request', async () => {
      const created = await send({
        method: 'POST',
        url: '/v1/keys',
        json: { name: 'to revoke', scopes: ['files'], workspace_ids: ['ws_default'] },
      })
      assert.equal(created.statusCode, 201, created.body)
      const { id, secret } = created.json()
      assert.equal((await list(secret)).statusCode, 200)
      const revoked = await send({ method: 'DELETE', url: `/v1/keys/${id}` })
      assert.equal(revoked.statusCode, 204, revoked.body)
      assertError(await list(secret), 401, 'unauthenticated', 'after revocation')
      const listed = (await send({ method: 'GET', url: '/v1/keys' })).json().keys
      const info = listed.find((k: { id: string }) => k.id === id)
      assert.ok(info?.revoked_at, 'the key list shows when it was revoked')
    })

    test('an expired key is refused once its expires_at has passed', async () => {
      const expiresAt = new Date(server.clock.now() + 60_000)
      const created = await send({
        method: 'POST',
        url: '/v1/keys',
        json: {
          name: 'short-lived',
          scopes: ['files:read'],
          workspace_ids: ['ws_default'],
          expires_at: expiresAt.toISOString(),
        },
      })
      assert.equal(created.statusCode, 201, created.body)
      const { secret } = created.json()
      assert.equal((await list(secret)).statusCode, 200)
      server.clock.advance(61_000)
      assertError(await list(secret), 401, 'unauthenticated', 'after expiry')
    })
  })

  describe(`Scopes on every route (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    let fetchSigned: ReturnType<typeof guardedFetch>
    const keys = new Map<string, string>()
    const victims = new Map<string, string>()
    const WS = 'ws_scopes'

    before(async () => {
      server = await startTestServer(backend)
      send = guardedRequest(server)
      fetchSigned = guardedFetch(server)
      const ws = await send({ method: 'POST', url: '/v1/workspaces', json: { id: WS, name: 's' } })
      assert.equal(ws.statusCode, 201, ws.body)
      for (const scope of SCOPES) {
        keys.set(scope, await server.key([scope], scope === 'admin' ? [] : [WS]))
      }
      const fixture = await uploadForm(server, {
        workspaceId: WS,
        path: 'fixtures/',
        filename: 'read.txt',
        content: 'readable',
      })
      assert.equal(fixture.statusCode, 201, fixture.body)
    })
    after(() => server.close())

    const keysIn = async (prefix: string): Promise<string[]> => {
      const response = await send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: WS, prefix, limit: '1000' },
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json().files.map((f: { key: string }) => f.key)
    }
    const uploadAsAdmin = async (path: string, filename: string) => {
      const response = await uploadForm(server, { workspaceId: WS, path, filename, content: 'x' })
      assert.equal(response.statusCode, 201, response.body)
    }
    /** A pending large-file upload whose bytes have arrived, ready to confirm. */
    const receivedUpload = async (filename: string) => {
      const created = await send({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: WS, filename, size: 3, path: 'large/' },
      })
      assert.equal(created.statusCode, 201, created.body)
      const upload = created.json()
      const put = await fetchSigned(upload.uploadUrl, {
        method: 'PUT',
        headers: upload.headers,
        body: Buffer.from('abc'),
      })
      assert.equal(put.status, 200, put.body.toString())
      return upload as { fileKey: string; uploadId: string }
    }

    interface RouteCase {
      operation: string
      permission: Permission
      success: number
      /** Sets up what the call needs (with the admin key), then makes it with `key`. */
      call(key: string, tag: string): Promise<Response>
      /** After a refused call: nothing changed. */
      unchanged?(tag: string): Promise<void>
    }

    const routes: RouteCase[] = [
      {
        operation: 'files.list',
        permission: 'files:read',
        success: 200,
        call: (key) =>
          send({ method: 'GET', url: '/v1/files', query: { workspace_id: WS }, as: key }),
      },
      {
        operation: 'files.upload',
        permission: 'files:write',
        success: 201,
        call: (key, tag) =>
          uploadForm(server, {
            workspaceId: WS,
            path: 'uploads/',
            filename: `${tag}.txt`,
            content: 'x',
            as: key,
          }),
        unchanged: async (tag) => {
          assert.ok(!(await keysIn('uploads/')).includes(`uploads/${tag}.txt`))
        },
      },
      {
        operation: 'files.download',
        permission: 'files:read',
        success: 200,
        call: (key) =>
          send({
            method: 'GET',
            url: '/v1/files/download',
            query: { workspace_id: WS, key: 'fixtures/read.txt' },
            as: key,
          }),
      },
      {
        operation: 'files.delete',
        permission: 'files:delete',
        success: 204,
        call: async (key, tag) => {
          await uploadAsAdmin('doomed/', `${tag}.txt`)
          return send({
            method: 'DELETE',
            url: '/v1/files',
            query: { workspace_id: WS, key: `doomed/${tag}.txt` },
            as: key,
          })
        },
        unchanged: async (tag) => {
          assert.ok((await keysIn('doomed/')).includes(`doomed/${tag}.txt`), 'deleted anyway')
        },
      },
      {
        operation: 'files.uploadUrl',
        permission: 'files:write',
        success: 201,
        call: (key, tag) =>
          send({
            method: 'POST',
            url: '/v1/files/upload-url',
            json: { workspace_id: WS, filename: `${tag}.bin`, size: 3, path: 'large/' },
            as: key,
          }),
      },
      {
        operation: 'files.uploadConfirm',
        permission: 'files:write',
        success: 200,
        call: async (key, tag) => {
          const upload = await receivedUpload(`${tag}-c.bin`)
          return send({
            method: 'POST',
            url: '/v1/files/upload-confirm',
            json: {
              workspace_id: WS,
              file_key: upload.fileKey,
              size: 3,
              upload_id: upload.uploadId,
            },
            as: key,
          })
        },
        unchanged: async (tag) => {
          assert.ok(!(await keysIn('large/')).includes(`large/${tag}-c.bin`), 'confirmed anyway')
        },
      },
      {
        operation: 'workspaces.create',
        permission: 'admin',
        success: 201,
        call: (key, tag) =>
          send({
            method: 'POST',
            url: '/v1/workspaces',
            json: { id: `ws_${tag}`, name: tag },
            as: key,
          }),
        unchanged: async (tag) => {
          const all = (await send({ method: 'GET', url: '/v1/workspaces' })).json().workspaces
          assert.ok(!all.some((w: { id: string }) => w.id === `ws_${tag}`), 'created anyway')
        },
      },
      {
        operation: 'workspaces.list',
        permission: 'admin',
        success: 200,
        call: (key) => send({ method: 'GET', url: '/v1/workspaces', as: key }),
      },
      {
        operation: 'keys.create',
        permission: 'admin',
        success: 201,
        call: (key, tag) =>
          send({
            method: 'POST',
            url: '/v1/keys',
            json: { name: tag, scopes: ['files'], workspace_ids: [WS] },
            as: key,
          }),
        unchanged: async (tag) => {
          const all = (await send({ method: 'GET', url: '/v1/keys' })).json().keys
          assert.ok(!all.some((k: { name: string }) => k.name === tag), 'created anyway')
        },
      },
      {
        operation: 'keys.list',
        permission: 'admin',
        success: 200,
        call: (key) => send({ method: 'GET', url: '/v1/keys', as: key }),
      },
      {
        operation: 'keys.revoke',
        permission: 'admin',
        success: 204,
        call: async (key, tag) => {
          const victim = await send({
            method: 'POST',
            url: '/v1/keys',
            json: { name: `victim-${tag}`, scopes: ['files:read'], workspace_ids: [WS] },
          })
          assert.equal(victim.statusCode, 201, victim.body)
          victims.set(tag, victim.json().secret)
          return send({ method: 'DELETE', url: `/v1/keys/${victim.json().id}`, as: key })
        },
        unchanged: async (tag) => {
          const still = await send({
            method: 'GET',
            url: '/v1/files',
            query: { workspace_id: WS },
            as: victims.get(tag) ?? null,
          })
          assert.equal(still.statusCode, 200, 'the key was revoked anyway')
        },
      },
    ]

    for (const route of routes) {
      for (const scope of SCOPES) {
        const allowed = allows(scope, route.permission)
        const expected = allowed ? String(route.success) : '403 insufficient_scope'
        test(`${route.operation} with scope ${scope} → ${expected}`, async () => {
          const tag = `${route.operation}-${scope}`.replace(/[^a-z0-9]+/gi, '-').toLowerCase()
          const response = await route.call(keys.get(scope) ?? '', tag)
          if (allowed) {
            assert.equal(response.statusCode, route.success, response.body)
            return
          }
          const error = assertError(response, 403, 'insufficient_scope', tag)
          assert.match(error.message, new RegExp(route.permission), 'names the missing scope')
          await route.unchanged?.(tag)
        })
      }
    }
  })

  describe(`Tenancy (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    let fetchSigned: ReturnType<typeof guardedFetch>
    let keyA: string
    let pendingB: { uploadId: string; fileKey: string }
    let before_: unknown[]
    const SECRET_CONTENT = 'PATIENT-42-GENOTYPE-DATA'
    const HIDDEN = ['patient-42', 'other-secret', 'pending.bam', SECRET_CONTENT]

    before(async () => {
      server = await startTestServer(backend)
      send = guardedRequest(server)
      fetchSigned = guardedFetch(server)
      for (const id of ['ws_a', 'ws_b']) {
        const ws = await send({ method: 'POST', url: '/v1/workspaces', json: { id, name: id } })
        assert.equal(ws.statusCode, 201, ws.body)
      }
      keyA = await server.key(['files'], ['ws_a'])
      for (const [filename, content] of [
        ['patient-42.vcf', SECRET_CONTENT],
        ['other-secret.txt', 'other'],
      ] as const) {
        const up = await uploadForm(server, {
          workspaceId: 'ws_b',
          path: 'private/',
          filename,
          content,
        })
        assert.equal(up.statusCode, 201, up.body)
      }
      const created = await send({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: 'ws_b', filename: 'pending.bam', path: 'private/', size: 4 },
      })
      assert.equal(created.statusCode, 201, created.body)
      const upload = created.json()
      const put = await fetchSigned(upload.uploadUrl, {
        method: 'PUT',
        headers: upload.headers,
        body: Buffer.from('BAM!'),
      })
      assert.equal(put.status, 200)
      pendingB = { uploadId: upload.uploadId, fileKey: upload.fileKey }
      before_ = await filesOfB()
    })
    after(() => server.close())

    const filesOfB = async () => {
      const response = await send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_b', limit: '1000' },
      })
      assert.equal(response.statusCode, 200)
      return response.json().files
    }

    /** The answer's body with the request id dropped and the asked-for workspace id masked. */
    const normalised = (response: Response, workspaceId: string) => {
      const body = response.json()
      delete body.error?.request_id
      return JSON.stringify(body).replaceAll(workspaceId, '<ws>')
    }

    /** ws_b (exists, not granted) answers exactly like ws_nope (does not exist): 404. */
    const sameAsMissing = async (
      what: string,
      call: (workspaceId: string) => Promise<Response>,
    ) => {
      const granted = await call('ws_b')
      const missing = await call('ws_nope')
      assertError(missing, 404, 'workspace_not_found', `${what} on a missing workspace`)
      assertError(granted, 404, 'workspace_not_found', `${what} on a workspace not granted`)
      assert.equal(normalised(granted, 'ws_b'), normalised(missing, 'ws_nope'), what)
      assert.equal(granted.headers['content-type'], missing.headers['content-type'], what)
      for (const hidden of HIDDEN) {
        if (!what.includes(hidden)) assert.ok(!granted.body.includes(hidden), `${what}: ${hidden}`)
      }
    }

    test('list: a workspace not granted answers like a missing one', async () => {
      const queries: Array<Record<string, string>> = [
        {},
        { prefix: 'private/' },
        { delimiter: '/' },
        { limit: '1000' },
      ]
      for (const query of queries) {
        await sameAsMissing(`list ${JSON.stringify(query)}`, (ws) =>
          send({
            method: 'GET',
            url: '/v1/files',
            query: { workspace_id: ws, ...query },
            as: keyA,
          }),
        )
      }
    })

    test('upload: a workspace not granted answers like a missing one', async () => {
      for (const overwrite of ['true', 'false']) {
        await sameAsMissing(`upload over patient-42.vcf, overwrite=${overwrite}`, (ws) =>
          uploadForm(server, {
            workspaceId: ws,
            path: 'private/',
            filename: 'patient-42.vcf',
            content: 'overwritten by a stranger',
            fields: { overwrite },
            as: keyA,
          }),
        )
      }
      await sameAsMissing('upload of a new file', (ws) =>
        uploadForm(server, { workspaceId: ws, filename: 'new.txt', content: 'n', as: keyA }),
      )
    })

    test('download: a workspace not granted answers like a missing one, whether the key exists or not', async () => {
      for (const key of ['private/patient-42.vcf', 'private/absent.txt', '../private']) {
        await sameAsMissing(`download ${key}`, (ws) =>
          send({
            method: 'GET',
            url: '/v1/files/download',
            query: { workspace_id: ws, key },
            as: keyA,
          }),
        )
      }
    })

    test('delete: a workspace not granted answers like a missing one', async () => {
      for (const key of ['private/patient-42.vcf', 'private/absent.txt']) {
        await sameAsMissing(`delete ${key}`, (ws) =>
          send({ method: 'DELETE', url: '/v1/files', query: { workspace_id: ws, key }, as: keyA }),
        )
      }
    })

    test('upload-url: a workspace not granted answers like a missing one, even create-only over an existing key', async () => {
      for (const overwrite of [true, false]) {
        await sameAsMissing(`upload-url patient-42.vcf overwrite=${overwrite}`, (ws) =>
          send({
            method: 'POST',
            url: '/v1/files/upload-url',
            json: {
              workspace_id: ws,
              filename: 'patient-42.vcf',
              path: 'private/',
              size: 5,
              overwrite,
            },
            as: keyA,
          }),
        )
      }
    })

    test("upload-confirm: a workspace not granted answers like a missing one, even for its pending upload's id", async () => {
      await sameAsMissing('confirm pending.bam by upload id', (ws) =>
        send({
          method: 'POST',
          url: '/v1/files/upload-confirm',
          json: {
            workspace_id: ws,
            file_key: pendingB.fileKey,
            size: 4,
            upload_id: pendingB.uploadId,
          },
          as: keyA,
        }),
      )
      await sameAsMissing('confirm pending.bam without upload id', (ws) =>
        send({
          method: 'POST',
          url: '/v1/files/upload-confirm',
          json: { workspace_id: ws, file_key: pendingB.fileKey, size: 4 },
          as: keyA,
        }),
      )
      await sameAsMissing('confirm patient-42.vcf (already a file)', (ws) =>
        send({
          method: 'POST',
          url: '/v1/files/upload-confirm',
          json: { workspace_id: ws, file_key: 'private/patient-42.vcf', size: 24 },
          as: keyA,
        }),
      )
    })

    test("another workspace's upload id confirmed in one's own workspace answers like an unknown id", async () => {
      const confirm = (uploadId: string) =>
        send({
          method: 'POST',
          url: '/v1/files/upload-confirm',
          json: {
            workspace_id: 'ws_a',
            file_key: pendingB.fileKey,
            size: 4,
            upload_id: uploadId,
          },
          as: keyA,
        })
      const stolen = await confirm(pendingB.uploadId)
      const unknown = await confirm('up_0000000000000000')
      assertError(stolen, 404, 'upload_not_found', 'stolen upload id')
      assertError(unknown, 404, 'upload_not_found', 'unknown upload id')
      assert.equal(
        normalised(stolen, pendingB.uploadId),
        normalised(unknown, 'up_0000000000000000'),
      )
      const listed = await send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_a' },
        as: keyA,
      })
      assert.deepEqual(listed.json().files, [], "ws_b's bytes became a file in ws_a")
    })

    test("after all that, ws_b's files are untouched and its pending upload still confirms", async () => {
      assert.deepEqual(await filesOfB(), before_)
      const url = await send({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_b', key: 'private/patient-42.vcf' },
      })
      assert.equal((await fetchSigned(url.json().url)).body.toString(), SECRET_CONTENT)
      const confirmed = await send({
        method: 'POST',
        url: '/v1/files/upload-confirm',
        json: {
          workspace_id: 'ws_b',
          file_key: pendingB.fileKey,
          size: 4,
          upload_id: pendingB.uploadId,
        },
      })
      assert.equal(confirmed.statusCode, 200, confirmed.body)
      assert.equal(confirmed.json().workspace_id, 'ws_b')
    })

    test('a key granted several workspaces reaches each of them and no other', async () => {
      const ws = await send({
        method: 'POST',
        url: '/v1/workspaces',
        json: { id: 'ws_c', name: 'c' },
      })
      assert.equal(ws.statusCode, 201)
      const both = await server.key(['files:read'], ['ws_a', 'ws_c'])
      for (const id of ['ws_a', 'ws_c']) {
        const response = await send({
          method: 'GET',
          url: '/v1/files',
          query: { workspace_id: id },
          as: both,
        })
        assert.equal(response.statusCode, 200, id)
      }
      await sameAsMissing('list with a two-workspace key', (id) =>
        send({ method: 'GET', url: '/v1/files', query: { workspace_id: id }, as: both }),
      )
    })
  })

  describe(`Admin API (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    before(async () => {
      server = await startTestServer(backend)
      send = guardedRequest(server)
    })
    after(() => server.close())

    const createWorkspace = (json: unknown) => send({ method: 'POST', url: '/v1/workspaces', json })
    const createKey = (json: unknown) => send({ method: 'POST', url: '/v1/keys', json })

    test('create a workspace with a chosen id → 201 and it is listed', async () => {
      const response = await createWorkspace({ id: 'ws_lab42', name: 'Lab 42' })
      assert.equal(response.statusCode, 201, response.body)
      const workspace = response.json()
      assert.equal(workspace.id, 'ws_lab42')
      assert.equal(workspace.name, 'Lab 42')
      assert.ok(!Number.isNaN(Date.parse(workspace.created_at)))
      const listed = (await send({ method: 'GET', url: '/v1/workspaces' })).json().workspaces
      assert.deepEqual(
        listed.find((w: { id: string }) => w.id === 'ws_lab42'),
        workspace,
      )
    })

    test('create a workspace without an id → a generated ws_ id, distinct each time', async () => {
      const one = await createWorkspace({ name: 'generated' })
      const two = await createWorkspace({ name: 'generated' })
      assert.equal(one.statusCode, 201, one.body)
      assert.equal(two.statusCode, 201, two.body)
      assert.match(one.json().id, /^ws_[A-Za-z0-9_-]+$/)
      assert.notEqual(one.json().id, two.json().id)
    })

    test('an existing id → 409 workspace_exists, and the first one is unchanged', async () => {
      assert.equal((await createWorkspace({ id: 'ws_twice', name: 'first' })).statusCode, 201)
      const again = await createWorkspace({ id: 'ws_twice', name: 'second' })
      assertError(again, 409, 'workspace_exists')
      assertError(await createWorkspace({ id: 'ws_default', name: 'x' }), 409, 'workspace_exists')
      const listed = (await send({ method: 'GET', url: '/v1/workspaces' })).json().workspaces
      assert.equal(listed.find((w: { id: string }) => w.id === 'ws_twice').name, 'first')
    })

    test('a malformed workspace id → 400', async () => {
      for (const id of [
        '',
        'abc',
        'ws_',
        'ws_a b',
        'ws_../etc',
        'ws_a/b',
        'ws_\u0000',
        'ws_é',
        `ws_${'a'.repeat(61)}`,
        `ws_${'a'.repeat(200)}`,
      ]) {
        const response = await createWorkspace({ id, name: 'bad' })
        assertError(response, 400, 'invalid_request', JSON.stringify(id))
      }
      const listed = (await send({ method: 'GET', url: '/v1/workspaces' })).json().workspaces
      assert.ok(listed.every((w: { name: string }) => w.name !== 'bad'))
    })

    test('a workspace without a name → 400', async () => {
      assertError(await createWorkspace({ id: 'ws_noname' }), 400, 'invalid_request')
      assertError(await createWorkspace({ id: 'ws_noname', name: '' }), 400, 'invalid_request')
    })

    test('a new key: its secret is answered once and never listed', async () => {
      const response = await createKey({
        name: 'pipeline',
        scopes: ['files'],
        workspace_ids: ['ws_default'],
      })
      assert.equal(response.statusCode, 201, response.body)
      const key = response.json()
      assert.equal(typeof key.secret, 'string')
      assert.ok(key.secret.length >= 32, 'a long random secret')
      assert.match(key.id, /^key_/)
      assert.deepEqual(key.scopes, ['files'])
      assert.deepEqual(key.workspace_ids, ['ws_default'])
      assert.equal(key.expires_at, null)
      assert.equal(key.revoked_at, null)
      const listing = await send({ method: 'GET', url: '/v1/keys' })
      assert.equal(listing.statusCode, 200)
      const hash = createHash('sha256').update(key.secret).digest('hex')
      for (const hidden of [key.secret, hash, 'secret', ADMIN]) {
        assert.ok(!listing.body.includes(hidden), `the key list shows ${hidden}`)
      }
      const listed = listing.json().keys.find((k: { id: string }) => k.id === key.id)
      const { secret: _secret, ...rest } = key
      assert.deepEqual(listed, rest)
      const works = await send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default' },
        as: key.secret,
      })
      assert.equal(works.statusCode, 200)
    })

    test('a non-admin key without workspace_ids → 400', async () => {
      for (const body of [
        { name: 'k', scopes: ['files'] },
        { name: 'k', scopes: ['files:read'], workspace_ids: [] },
      ]) {
        const error = assertError(await createKey(body), 400, 'invalid_request')
        assert.match(error.message, /workspace_ids/)
      }
    })

    test('a key on an unknown workspace → 404 workspace_not_found, and no key is made', async () => {
      const before = (await send({ method: 'GET', url: '/v1/keys' })).json().keys.length
      const response = await createKey({
        name: 'k',
        scopes: ['files'],
        workspace_ids: ['ws_default', 'ws_nowhere'],
      })
      assertError(response, 404, 'workspace_not_found')
      const after = (await send({ method: 'GET', url: '/v1/keys' })).json().keys.length
      assert.equal(after, before)
    })

    test('a key with an unknown scope, no scopes, or an expiry in the past → 400', async () => {
      for (const body of [
        { name: 'k', scopes: ['root'], workspace_ids: ['ws_default'] },
        { name: 'k', scopes: [], workspace_ids: ['ws_default'] },
        { name: 'k', workspace_ids: ['ws_default'] },
        {
          name: 'k',
          scopes: ['files'],
          workspace_ids: ['ws_default'],
          expires_at: new Date(Date.now() - 60_000).toISOString(),
        },
        { name: 'k', scopes: ['files'], workspace_ids: ['ws_default'], expires_at: 'tomorrow' },
      ]) {
        assertError(await createKey(body), 400, 'invalid_request', JSON.stringify(body))
      }
    })

    test('revoking an unknown key → 404 api_key_not_found', async () => {
      for (const id of ['key_doesnotexist', 'nothing-like-a-key', '%00', 'key_%2e%2e']) {
        assertError(
          await send({ method: 'DELETE', url: `/v1/keys/${id}` }),
          404,
          'api_key_not_found',
          id,
        )
      }
    })

    test('an admin key reaches every workspace, including ones made after it', async () => {
      const admin = await server.key(['admin', 'files'], [])
      assert.equal((await createWorkspace({ id: 'ws_later', name: 'later' })).statusCode, 201)
      const response = await send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_later' },
        as: admin,
      })
      assert.equal(response.statusCode, 200, response.body)
    })
  })
}
