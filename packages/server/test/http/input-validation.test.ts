/**
 * Adversarial input: every key rule through every entry point that takes a key, malformed and
 * mistyped JSON, broken multipart bodies, unknown routes and the form-upload size limit.
 * Every answer goes through assertSafe: never a 5xx, a stack trace or a server path.
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import type { LightMyRequestResponse } from 'fastify'
import { blobNameFor } from '../../src/domain/file-service.ts'
import { newFileId } from '../../src/domain/ids.ts'
import { backendMatrix } from '../support/backends.ts'
import { assertError, guardedRequest } from '../support/http-assertions.ts'
import { formBody, startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

type Response = LightMyRequestResponse

interface KeyRule {
  name: string
  /** A whole key breaking the rule. */
  key: string
  /** A file name breaking it (for entry points that take a name, not a path). */
  filename: string
  /** What the error message must say. */
  message: RegExp
  /** Not expressible in a URL or a multipart header (lone surrogates): JSON only. */
  jsonOnly?: boolean
  /** A portability rule: refused for a new file, but a stored key that breaks it stays usable. */
  newOnly?: boolean
}

const LONG_KEY = `${`${'é'.repeat(100)}/`.repeat(6)}a.txt` // 1,211 bytes, 606 characters
const LONG_SEGMENT = `${'é'.repeat(130)}.txt` // 264 bytes

const RULES: readonly KeyRule[] = [
  { name: 'empty', key: '', filename: '', message: /empty/i },
  { name: "leading '/'", key: '/raw/a.txt', filename: '/a.txt', message: /'\/'/ },
  { name: "'..' segment", key: 'raw/../a.txt', filename: '..', message: /'\.\.'/ },
  { name: "'.' segment", key: 'raw/./a.txt', filename: '.', message: /'\.'/ },
  { name: "'//' empty segment", key: 'raw//a.txt', filename: 'raw//a.txt', message: /'\/\/'|'\/'/ },
  { name: 'backslash', key: 'raw\\a.txt', filename: 'raw\\a.txt', message: /'\\'|backslash/i },
  { name: 'NUL', key: 'raw/a\u0000.txt', filename: 'a\u0000.txt', message: /control/i },
  { name: 'newline', key: 'raw/a\n.txt', filename: 'a\n.txt', message: /control/i },
  { name: 'DEL', key: 'raw/a\u007f.txt', filename: 'a\u007f.txt', message: /control/i },
  { name: '> 1024 bytes', key: LONG_KEY, filename: 'é'.repeat(600), message: /1024/ },
  {
    name: 'a segment > 255 bytes',
    key: `raw/${LONG_SEGMENT}`,
    filename: LONG_SEGMENT,
    message: /255/,
  },
  {
    name: 'lone surrogate',
    key: 'raw/\ud800.txt',
    filename: '\ud800.txt',
    message: /unicode|utf-?8|surrogate/i,
    jsonOnly: true,
  },
  ...['\u200b', '\u202e', '\u2066', '\u2028', '\ufeff'].map((c) => ({
    name: `U+${c.charCodeAt(0).toString(16).toUpperCase()} (format/bidi control)`,
    key: `raw/a${c}.txt`,
    filename: `a${c}.txt`,
    message: /bidi/,
    newOnly: true,
  })),
  ...['CON', 'nul', 'aux.txt', 'COM1', 'lpt1.tar.gz'].map((name) => ({
    name: `reserved name ${name}`,
    key: `raw/${name}`,
    filename: name,
    message: /reserved device name/,
    newOnly: true,
  })),
  ...['a.txt.', 'a.txt '].map((name) => ({
    name: `trailing ${JSON.stringify(name.slice(-1))}`,
    key: `raw/${name}`,
    filename: name,
    message: /must not end with/,
    newOnly: true,
  })),
]

const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * A multipart body with text fields, then the file. Names with control characters go in
 * RFC 5987 `filename*` (a raw one would break the part header); others in a quoted `filename`.
 */
function rawForm(fields: Record<string, string>, filename: string, content = 'x') {
  const boundary = `----granary-adversarial-${Math.random().toString(36).slice(2)}`
  const param = CONTROL.test(filename)
    ? `filename*=utf-8''${encodeURIComponent(filename)}`
    : `filename="${filename.replace(/[\\"]/g, (c) => `\\${c}`)}"`
  const parts = Object.entries(fields).map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  )
  const body = Buffer.concat([
    Buffer.from(parts.join('')),
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; ${param}\r\nContent-Type: application/octet-stream\r\n\r\n${content}\r\n--${boundary}--\r\n`,
    ),
  ])
  return { body, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } }
}

for (const backend of backendMatrix()) {
  describe(`Key validation through every entry point (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    before(async () => {
      server = await startTestServer(backend)
      send = guardedRequest(server)
    })
    after(() => server.close())

    const WS = 'ws_default'
    const form = (fields: Record<string, string>, filename: string, query = '') => {
      const { body, headers } = rawForm({ workspace_id: WS, ...fields }, filename)
      return send({ method: 'POST', url: `/v1/files/upload${query}`, headers, body })
    }

    interface EntryPoint {
      name: string
      /** Rules that apply here; the rest cannot be broken through this input. */
      applies(rule: KeyRule): boolean
      send(rule: KeyRule): Promise<Response>
    }

    const notJsonOnly = (rule: KeyRule) => !rule.jsonOnly
    const entryPoints: EntryPoint[] = [
      {
        name: 'upload: path field',
        // An empty path is the top folder, not an error.
        applies: (rule) => notJsonOnly(rule) && rule.key !== '',
        send: (rule) => form({ path: rule.key }, 'f.txt'),
      },
      {
        name: 'upload: path query parameter',
        applies: (rule) => notJsonOnly(rule) && rule.key !== '',
        send: (rule) => form({}, 'f.txt', `?path=${encodeURIComponent(rule.key)}`),
      },
      {
        name: 'upload: file name',
        applies: notJsonOnly,
        send: (rule) => form({}, rule.filename),
      },
      {
        name: 'download: key',
        applies: (rule) => notJsonOnly(rule) && !rule.newOnly,
        send: (rule) =>
          send({
            method: 'GET',
            url: '/v1/files/download',
            query: { workspace_id: WS, key: rule.key },
          }),
      },
      {
        name: 'delete: key',
        applies: (rule) => notJsonOnly(rule) && !rule.newOnly,
        send: (rule) =>
          send({ method: 'DELETE', url: '/v1/files', query: { workspace_id: WS, key: rule.key } }),
      },
      {
        name: 'upload-url: path',
        applies: (rule) => rule.key !== '',
        send: (rule) =>
          send({
            method: 'POST',
            url: '/v1/files/upload-url',
            json: { workspace_id: WS, filename: 'f.bin', path: rule.key, size: 1 },
          }),
      },
      {
        name: 'upload-url: filename',
        applies: () => true,
        send: (rule) =>
          send({
            method: 'POST',
            url: '/v1/files/upload-url',
            json: { workspace_id: WS, filename: rule.filename, size: 1 },
          }),
      },
      {
        name: 'upload-confirm: file_key',
        applies: (rule) => !rule.newOnly,
        send: (rule) =>
          send({
            method: 'POST',
            url: '/v1/files/upload-confirm',
            json: { workspace_id: WS, file_key: rule.key, size: 1 },
          }),
      },
      {
        name: 'list: prefix',
        // A prefix may end anywhere, even mid-segment, so only the character and length rules
        // apply (and an empty prefix means everything).
        applies: (rule) =>
          notJsonOnly(rule) &&
          ["leading '/'", 'backslash', 'NUL', 'newline', 'DEL', '> 1024 bytes'].includes(rule.name),
        send: (rule) =>
          send({ method: 'GET', url: '/v1/files', query: { workspace_id: WS, prefix: rule.key } }),
      },
    ]

    for (const entry of entryPoints) {
      for (const rule of RULES.filter((r) => entry.applies(r))) {
        test(`${entry.name}: ${rule.name} → 400 invalid_key naming the rule`, async () => {
          const error = assertError(await entry.send(rule), 400, 'invalid_key', rule.name)
          assert.match(error.message, rule.message, `${rule.name}: ${error.message}`)
        })
      }
    }

    test("a file name with a '/' is refused, not silently cut to its last part", async () => {
      for (const filename of ['raw/a.txt', 'x/../etc/passwd', 'C:\\Users\\me\\a.txt']) {
        const viaForm = await form({}, filename)
        assertError(viaForm, 400, 'invalid_key', `form ${filename}`)
        const viaJson = await send({
          method: 'POST',
          url: '/v1/files/upload-url',
          json: { workspace_id: WS, filename, size: 1 },
        })
        assertError(viaJson, 400, 'invalid_key', `upload-url ${filename}`)
      }
    })

    test('a file stored under a name refused today stays readable and deletable', async () => {
      const { files, blobs, clock } = server.server.services
      for (const key of ['raw/aux.txt', 'raw/a\u202e.txt', 'raw/dot.']) {
        const blobName = blobNameFor(WS, key, clock)
        const stored = await blobs.put(blobName, Readable.from([Buffer.from('old')]), {})
        const now = new Date().toISOString()
        await files.commit(
          {
            ...{ id: newFileId(), workspaceId: WS, key, name: key.slice(4), blobName },
            ...{ size: stored.size, contentType: 'text/plain', description: null },
            ...{ sha256: stored.sha256 ?? '', createdAt: now, updatedAt: now },
          },
          { overwrite: true },
        )
        const link = await send({
          method: 'GET',
          url: '/v1/files/download',
          query: { workspace_id: WS, key },
        })
        assert.equal(link.statusCode, 200, link.body)
        assert.equal((await server.fetchSigned(link.json().url)).body.toString(), 'old')
        const gone = await send({
          method: 'DELETE',
          url: '/v1/files',
          query: { workspace_id: WS, key },
        })
        assert.equal(gone.statusCode, 204, gone.body)
      }
    })

    test('no invalid key ever became a file', async () => {
      const response = await send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: WS, limit: '1000' },
      })
      assert.equal(response.statusCode, 200)
      assert.deepEqual(
        response.json().files.map((f: { key: string }) => f.key),
        [],
      )
    })
  })

  describe(`Malformed requests (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    before(async () => {
      server = await startTestServer(backend)
      send = guardedRequest(server)
    })
    after(() => server.close())

    const JSON_ROUTES = {
      'upload-url': {
        url: '/v1/files/upload-url',
        valid: { workspace_id: 'ws_default', filename: 'a.bin', size: 3 },
      },
      'upload-confirm': {
        url: '/v1/files/upload-confirm',
        valid: { workspace_id: 'ws_default', file_key: 'a.bin', size: 3 },
      },
      workspaces: { url: '/v1/workspaces', valid: { name: 'lab' } },
      keys: {
        url: '/v1/keys',
        valid: { name: 'k', scopes: ['files'], workspace_ids: ['ws_default'] },
      },
    } as const
    type JsonRoute = keyof typeof JSON_ROUTES

    const postRaw = (url: string, body: string) =>
      send({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body })
    const post = (route: JsonRoute, json: unknown) =>
      send({ method: 'POST', url: JSON_ROUTES[route].url, json })

    for (const route of Object.keys(JSON_ROUTES) as JsonRoute[]) {
      test(`${route}: malformed JSON → 400 invalid_request`, async () => {
        for (const body of [
          '{',
          '{"name": "a",',
          'not json',
          '{"a":1}}',
          "{'a': 1}",
          '',
          '\u0000',
        ]) {
          assertError(await postRaw(JSON_ROUTES[route].url, body), 400, 'invalid_request', body)
        }
      })

      test(`${route}: JSON that is not an object → 400 invalid_request`, async () => {
        for (const body of ['null', '[]', '"a string"', '42', 'true']) {
          assertError(await postRaw(JSON_ROUTES[route].url, body), 400, 'invalid_request', body)
        }
      })

      test(`${route}: each missing required field → 400 invalid_request naming it`, async () => {
        const valid: Record<string, unknown> = JSON_ROUTES[route].valid
        const required = route === 'keys' ? ['name', 'scopes'] : Object.keys(valid)
        for (const field of required) {
          const { [field]: _dropped, ...rest } = valid
          const error = assertError(await post(route, rest), 400, 'invalid_request', field)
          assert.match(error.message, new RegExp(field), error.message)
        }
      })

      test(`${route}: an unknown field → 400 invalid_request`, async () => {
        const valid = JSON_ROUTES[route].valid
        for (const extra of [{ bogus: 1 }, { fileKey: 'a.bin' }, { admin: true }]) {
          assertError(await post(route, { ...valid, ...extra }), 400, 'invalid_request')
        }
      })
    }

    const WRONG_TYPES: Array<[JsonRoute, string, unknown]> = [
      ['upload-url', 'size', 'ten'],
      ['upload-url', 'size', -1],
      ['upload-url', 'size', 1.5],
      ['upload-url', 'size', {}],
      ['upload-url', 'size', [3, 4]],
      ['upload-url', 'size', true],
      ['upload-url', 'size', null],
      ['upload-url', 'size', '3'],
      ['upload-url', 'filename', 123],
      ['upload-url', 'filename', null],
      ['upload-url', 'filename', ['a.bin', 'b.bin']],
      ['upload-url', 'workspace_id', {}],
      ['upload-url', 'overwrite', 'maybe'],
      ['upload-url', 'overwrite', 1],
      ['upload-url', 'expires_in', 0],
      ['upload-url', 'expires_in', 604_801],
      ['upload-url', 'expires_in', 'soon'],
      ['upload-url', 'sha256', 'abc'],
      ['upload-confirm', 'size', 'three'],
      ['upload-confirm', 'size', null],
      ['upload-confirm', 'file_key', 7],
      ['upload-confirm', 'file_key', null],
      ['upload-confirm', 'upload_id', {}],
      ['workspaces', 'name', 42],
      ['workspaces', 'name', ''],
      ['workspaces', 'name', []],
      ['workspaces', 'id', 7],
      ['keys', 'scopes', 'files'],
      ['keys', 'scopes', ['root']],
      ['keys', 'scopes', []],
      ['keys', 'workspace_ids', 'ws_default'],
      ['keys', 'name', 5],
      ['keys', 'expires_at', 12345],
    ]
    for (const [route, field, value] of WRONG_TYPES) {
      test(`${route}: ${field} = ${JSON.stringify(value)} → 400 invalid_request`, async () => {
        const body = { ...JSON_ROUTES[route].valid, [field]: value }
        assertError(await post(route, body), 400, 'invalid_request', JSON.stringify(body))
      })
    }

    test("an unknown query parameter or field is named: 'prefx', 'pathh'", async () => {
      const query = await send({
        method: 'GET',
        url: '/v1/files?workspace_id=ws_default&prefx=raw/',
      })
      const queryError = assertError(query, 400, 'invalid_request')
      assert.match(queryError.message, /unknown query parameter 'prefx'/i)
      const body = await post('upload-url', { ...JSON_ROUTES['upload-url'].valid, pathh: 'raw/' })
      const bodyError = assertError(body, 400, 'invalid_request')
      assert.match(bodyError.message, /unknown field 'pathh'/i)
    })

    // Each answer names the field and says the rule in words, never ajv's "must NOT have ...".
    const RULE_MESSAGES: Array<[string, () => Promise<Response>, RegExp]> = [
      [
        'missing field',
        () => post('upload-url', { workspace_id: 'ws_default', filename: 'a' }),
        /field 'size' is required/,
      ],
      [
        'negative size',
        () => post('upload-url', { ...JSON_ROUTES['upload-url'].valid, size: -1 }),
        /field 'size' must be at least 0/,
      ],
      [
        'size as text',
        () => post('upload-url', { ...JSON_ROUTES['upload-url'].valid, size: '3' }),
        /field 'size' must be an integer/,
      ],
      [
        'bad sha256',
        () => post('upload-url', { ...JSON_ROUTES['upload-url'].valid, sha256: 'abc' }),
        /field 'sha256' must match/,
      ],
      [
        'empty name',
        () => post('workspaces', { name: '' }),
        /field 'name' must be at least 1 characters/,
      ],
      [
        'no scopes',
        () => post('keys', { name: 'k', scopes: [] }),
        /field 'scopes' must list at least 1/,
      ],
      [
        'unknown scope',
        () => post('keys', { name: 'k', scopes: ['root'] }),
        /field 'scopes\[0\]' must be one of 'admin', 'files'/,
      ],
      [
        'expiry not a date',
        () => post('keys', { ...JSON_ROUTES.keys.valid, expires_at: 'soon' }),
        /field 'expires_at' must be a date-time/,
      ],
      ['body not an object', () => postRaw('/v1/workspaces', '[]'), /JSON body must be an object/i],
      [
        'limit 0',
        () => send({ method: 'GET', url: '/v1/files?workspace_id=ws_default&limit=0' }),
        /query parameter 'limit' must be at least 1/,
      ],
      [
        'missing parameter',
        () => send({ method: 'GET', url: '/v1/files' }),
        /query parameter 'workspace_id' is required/,
      ],
      [
        'bad enum',
        () =>
          send({
            method: 'GET',
            url: '/v1/files/download?workspace_id=ws_default&key=a&disposition=evil',
          }),
        /query parameter 'disposition' must be one of 'attachment', 'inline'/,
      ],
      [
        'repeated parameter',
        () => send({ method: 'GET', url: '/v1/files?workspace_id=ws_default&workspace_id=ws_x' }),
        /query parameter 'workspace_id' must be given once/,
      ],
    ]
    for (const [name, request, message] of RULE_MESSAGES) {
      test(`validation message names the field and the rule: ${name}`, async () => {
        const error = assertError(await request(), 400, 'invalid_request', name)
        assert.match(error.message, new RegExp(message.source, 'i'))
        assert.doesNotMatch(error.message, /must NOT|must have required|instancePath/)
      })
    }

    test('a JSON body with __proto__ or nested 500,000 deep → 400, a body over 1 MiB → 413', async () => {
      const { url } = JSON_ROUTES.workspaces
      assertError(
        await postRaw(url, '{"name": "x", "__proto__": {"admin": true}}'),
        400,
        'invalid_request',
      )
      assertError(
        await postRaw(url, '{"name": "x", "constructor": {"prototype": {"admin": true}}}'),
        400,
        'invalid_request',
      )
      const deep = await postRaw(url, '['.repeat(500_000))
      assertError(deep, 400, 'invalid_request')
      const big = await postRaw(url, JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024) }))
      assertError(big, 413, 'request_too_large')
    })

    test('unknown query parameters and repeated ones → 400 invalid_request', async () => {
      for (const url of [
        '/v1/files?workspace_id=ws_default&bogus=1',
        '/v1/files?workspace_id=ws_default&workspace_id=ws_other',
        '/v1/files/download?workspace_id=ws_default&key=a&key=b',
        '/v1/files?workspace_id=ws_default&key=a&key=b',
        '/v1/files/download?workspace_id=ws_default&key=a&disposition=evil',
        '/v1/files?workspace_id=ws_default&delimiter=%2C',
      ]) {
        const method = url.includes('key=a&key=b') && !url.includes('download') ? 'DELETE' : 'GET'
        assertError(await send({ method, url }), 400, 'invalid_request', `${method} ${url}`)
      }
    })

    test('hostile workspace ids answer 404 workspace_not_found (or 400), never more', async () => {
      for (const workspaceId of [
        '../etc',
        'ws_default/../ws_x',
        'ws_default\u0000',
        'ws_%',
        '🙂',
        "ws_' OR '1'='1",
        'WS_DEFAULT',
      ]) {
        const response = await send({
          method: 'GET',
          url: '/v1/files',
          query: { workspace_id: workspaceId },
        })
        assertError(response, 404, 'workspace_not_found', JSON.stringify(workspaceId))
      }
      const long = await send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'w'.repeat(65) },
      })
      assertError(long, 400, 'invalid_request')
    })

    test('forged cursors → 400 invalid_request', async () => {
      const b64 = (s: string) => Buffer.from(s).toString('base64url')
      for (const cursor of [
        b64('{"a":5}'),
        b64('[]'),
        b64('null'),
        b64('"a"'),
        b64('{"a"'),
        '%%%',
        '🙂',
        'a'.repeat(8192),
      ]) {
        const response = await send({
          method: 'GET',
          url: '/v1/files',
          query: { workspace_id: 'ws_default', cursor },
        })
        assertError(response, 400, 'invalid_request', cursor.slice(0, 40))
      }
      const tooLong = await send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', cursor: 'a'.repeat(8193) },
      })
      assertError(tooLong, 400, 'invalid_request')
    })

    test('upload without a file part → 400 invalid_request', async () => {
      const boundary = 'xxBOUNDARYxx'
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="workspace_id"\r\n\r\nws_default\r\n--${boundary}--\r\n`
      const response = await send({
        method: 'POST',
        url: '/v1/files/upload',
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      })
      const error = assertError(response, 400, 'invalid_request')
      assert.match(error.message, /file/)
    })

    test("upload whose file part has another name than 'file' → 400 invalid_request", async () => {
      const form = formBody({ workspace_id: 'ws_default' }, { filename: 'a.txt', content: 'a' })
      const body = Buffer.from(form.body.toString().replace('name="file"', 'name="upload"'))
      const response = await send({
        method: 'POST',
        url: '/v1/files/upload',
        headers: form.headers,
        body,
      })
      assertError(response, 400, 'invalid_request')
    })

    test('upload with text/plain or octet-stream → 415 unsupported_media_type (JSON)', async () => {
      for (const type of ['text/plain', 'application/octet-stream', 'application/json']) {
        const response = await send({
          method: 'POST',
          url: '/v1/files/upload',
          headers: { 'content-type': type },
          body: type === 'application/json' ? '{"workspace_id": "ws_default"}' : 'hello',
        })
        const error = assertError(response, 415, 'unsupported_media_type', type)
        assert.match(error.message, /multipart\/form-data/)
      }
    })

    test('garbage with a multipart content type → 400; without a boundary → 400 or 415', async () => {
      for (const body of ['garbage garbage', '--xyz\r\ngarbage', '--xyz--', '\u0000'.repeat(100)]) {
        const response = await send({
          method: 'POST',
          url: '/v1/files/upload',
          headers: { 'content-type': 'multipart/form-data; boundary=xyz' },
          body,
        })
        assertError(response, 400, 'invalid_request', JSON.stringify(body))
      }
      const noBoundary = await send({
        method: 'POST',
        url: '/v1/files/upload',
        headers: { 'content-type': 'multipart/form-data' },
        body: 'garbage',
      })
      assert.ok([400, 415].includes(noBoundary.statusCode), String(noBoundary.statusCode))
      assert.ok(noBoundary.json().error.code)
    })

    test('a form cut off in the middle of the file → 400, nothing stored', async () => {
      const form = formBody(
        { workspace_id: 'ws_default' },
        { filename: 'cut.txt', content: 'x'.repeat(5000) },
      )
      const body = form.body.subarray(0, form.body.length - 2000)
      const response = await send({
        method: 'POST',
        url: '/v1/files/upload',
        headers: form.headers,
        body,
      })
      assertError(response, 400, 'invalid_request')
      const listed = await send({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default' },
      })
      assert.ok(!listed.body.includes('cut.txt'))
    })

    // These three once threw inside busboy's 'file' listener, outside any promise: an uncaught
    // exception that took the whole process down.
    test('upload without workspace_id → 400 invalid_request naming it', async () => {
      const form = formBody({}, { filename: 'a.txt', content: 'a' })
      const response = await send({
        method: 'POST',
        url: '/v1/files/upload',
        headers: form.headers,
        body: form.body,
      })
      assert.match(assertError(response, 400, 'invalid_request').message, /workspace_id/)
    })

    test('upload with workspace_id after the file part → 400 invalid_request saying so', async () => {
      const form = formBody({}, { filename: 'a.txt', content: 'a' })
      const body = Buffer.from(
        form.body
          .toString()
          .replace(
            /--([^\r]+)--\r\n$/,
            '--$1\r\nContent-Disposition: form-data; name="workspace_id"\r\n\r\nws_default\r\n--$1--\r\n',
          ),
      )
      const response = await send({
        method: 'POST',
        url: '/v1/files/upload',
        headers: form.headers,
        body,
      })
      assert.match(assertError(response, 400, 'invalid_request').message, /before/)
    })

    test('upload with overwrite=maybe → 400 invalid_request naming the field', async () => {
      const response = await uploadForm(server, {
        filename: 'a.txt',
        content: 'a',
        fields: { overwrite: 'maybe' },
      })
      assert.match(assertError(response, 400, 'invalid_request').message, /overwrite/)
    })

    test('unknown routes and methods → 404 route_not_found', async () => {
      for (const [method, url] of [
        ['GET', '/v1/nope'],
        ['POST', '/v1/files/nope'],
        ['GET', '/v2/files'],
        ['PUT', '/v1/files/upload'],
        ['DELETE', '/v1/workspaces'],
        ['GET', '/v1/keys/key_1/extra'],
        ['GET', '/v1/files/download/extra'],
        ['GET', '/v1/uploads/up_1/content'],
        ['GET', '/%2e%2e/%2e%2e/etc/passwd'],
      ] as const) {
        const response = await send({ method, url })
        assertError(response, 404, 'route_not_found', `${method} ${url}`)
      }
      const anonymous = await send({ method: 'GET', url: '/v1/nope', as: null })
      assertError(anonymous, 404, 'route_not_found', 'without a key')
    })
  })

  describe(`Form upload over a lowered limit (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    before(async () => {
      server = await startTestServer(backend, { GRANARY_MAX_UPLOAD_BYTES: '1000' })
      send = guardedRequest(server)
    })
    after(() => server.close())

    const filesUnder = async (dir: string): Promise<string[]> => {
      const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
      return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
    }
    const listed = async () =>
      (
        await send({ method: 'GET', url: '/v1/files', query: { workspace_id: 'ws_default' } })
      ).json().files

    test('over the limit → 413 upload_too_large pointing to upload-url, and nothing stored', async () => {
      for (const size of [1001, 1500, 20_000]) {
        const response = await uploadForm(server, {
          path: 'big/',
          filename: `over-${size}.bin`,
          content: Buffer.alloc(size, 7),
        })
        const error = assertError(response, 413, 'upload_too_large', String(size))
        assert.match(error.message, /upload-url/)
        assert.match(error.message, /1000/)
      }
      assert.deepEqual(await listed(), [])
      if (backend.name.endsWith('+local')) {
        assert.deepEqual(await filesUnder(join(server.dataDir, 'blobs')), [])
        assert.deepEqual(await filesUnder(join(server.dataDir, 'tmp')), [])
      }
    })

    test('exactly the limit is accepted', async () => {
      const response = await uploadForm(server, {
        filename: 'exact.bin',
        content: Buffer.alloc(1000, 1),
      })
      assert.equal(response.statusCode, 201, response.body)
      assert.equal(response.json().size, 1000)
    })

    test('an oversized replacement leaves the existing file as it was', async () => {
      const before = (await listed()).find((f: { key: string }) => f.key === 'exact.bin')
      const response = await uploadForm(server, {
        filename: 'exact.bin',
        content: Buffer.alloc(1001, 2),
      })
      assertError(response, 413, 'upload_too_large')
      const afterwards = (await listed()).find((f: { key: string }) => f.key === 'exact.bin')
      assert.deepEqual(afterwards, before)
    })
  })
}
