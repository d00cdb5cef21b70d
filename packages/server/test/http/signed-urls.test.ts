/**
 * Adversarial tests of signed URLs: downloads (tampering, expiry, re-targeting, Range, headers)
 * on every backend where the behaviour is generic, and Granary's own signed endpoints (local
 * backend) in full, including the large-file PUT.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import {
  assertError,
  type ErrorJson,
  guardedFetch,
  guardedRequest,
} from '../support/http-assertions.ts'
import {
  PUBLIC_URL,
  type SignedResponse,
  signedInThePast,
  startTestServer,
  type TestServer,
  uploadForm,
} from '../support/test-server.ts'

const DIGITS = '0123456789'
const SECRET = 'TOP-SECRET-BYTES-never-serve-these'
const OTHER = 'OTHER-FILE-BYTES'
const UNICODE_NAME = 'résumé 基因.vcf'
const HTML = '<html><body><script>fetch("/v1/keys")</script></body></html>'

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

/** The URL with one query parameter replaced. */
function withParam(url: string, name: string, value: string): string {
  const parsed = new URL(url)
  parsed.searchParams.set(name, value)
  return parsed.toString()
}

/** The signature parameter of a Granary or an S3 (SigV4) URL. */
function signatureParam(url: string): string {
  return new URL(url).searchParams.has('signature') ? 'signature' : 'X-Amz-Signature'
}

/** Flips one character in the middle of the signature. */
function tampered(url: string): string {
  const name = signatureParam(url)
  const signature = new URL(url).searchParams.get(name) ?? ''
  const i = Math.floor(signature.length / 2)
  const flipped = signature[i] === 'A' ? 'B' : 'A'
  return withParam(url, name, `${signature.slice(0, i)}${flipped}${signature.slice(i + 1)}`)
}

/** A refused signed request: 403 and not one byte of any file. */
function assertRefused(response: SignedResponse, ...contents: string[]) {
  assert.equal(response.status, 403, response.body.toString().slice(0, 300))
  const body = response.body.toString()
  for (const content of contents) assert.ok(!body.includes(content), 'file bytes in a 403')
}

/** A refused request to Granary's own endpoint: 403 with the JSON error. */
function assertRefusedByGranary(response: SignedResponse, code: string, ...contents: string[]) {
  assertRefused(response, ...contents)
  const error: ErrorJson = assertError(response, 403, code)
  return error
}

/** RFC 8187 ext-value of `filename*`, decoded. */
function extendedFilename(disposition: string): string | undefined {
  const match = disposition.match(/filename\*\s*=\s*UTF-8''([^;\s]+)/i)
  return match?.[1] === undefined ? undefined : decodeURIComponent(match[1])
}

for (const backend of backendMatrix()) {
  const local = !backend.name.endsWith('+s3')

  describe(`Signed download URLs (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    let fetchSigned: ReturnType<typeof guardedFetch>

    before(async () => {
      server = await startTestServer(backend)
      send = guardedRequest(server)
      fetchSigned = guardedFetch(server)
      for (const [filename, content] of [
        ['digits.txt', DIGITS],
        ['secret.txt', SECRET],
        ['other.txt', OTHER],
        [UNICODE_NAME, 'vcf'],
        ['page.html', HTML],
        ['it\'s "quoted";x.txt', 'q'],
      ] as const) {
        const response = await uploadForm(server, { path: 'signed/', filename, content })
        assert.equal(response.statusCode, 201, response.body)
      }
    })
    after(() => server.close())

    const urlFor = async (
      key: string,
      query: Record<string, string> = {},
      workspaceId = 'ws_default',
    ) => {
      const response = await send({
        method: 'GET',
        url: '/v1/files/download',
        // The store's own URLs (Granary's /v1/blobs/ on local, presigned on S3); Granary links,
        // the local default, have their own suite (granary-links.test.ts).
        query: { workspace_id: workspaceId, key, link: 'direct', ...query },
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json().url as string
    }
    const get = (url: string, headers: Record<string, string> = {}) => fetchSigned(url, { headers })

    test('the URL serves the exact bytes with ETag and Accept-Ranges', async () => {
      const response = await get(await urlFor('signed/digits.txt'))
      assert.equal(response.status, 200)
      assert.equal(response.body.toString(), DIGITS)
      assert.match(response.headers.etag ?? '', /^(W\/)?"[^"]+"$/)
      assert.equal(response.headers['accept-ranges'], 'bytes')
      assert.equal(response.headers['content-length'], '10')
    })

    test('ETags differ between files and between versions of one key', async () => {
      const digits = (await get(await urlFor('signed/digits.txt'))).headers.etag
      const other = (await get(await urlFor('signed/other.txt'))).headers.etag
      assert.notEqual(digits, other)
      await uploadForm(server, { path: 'signed/', filename: 'versioned.txt', content: 'v1' })
      const v1 = (await get(await urlFor('signed/versioned.txt'))).headers.etag
      await uploadForm(server, { path: 'signed/', filename: 'versioned.txt', content: 'v2' })
      const v2 = await get(await urlFor('signed/versioned.txt'))
      assert.equal(v2.body.toString(), 'v2')
      assert.notEqual(v2.headers.etag, v1)
    })

    test('Range: bytes=0-3, bytes=-4 and bytes=5- answer 206 with the right slice', async () => {
      const url = await urlFor('signed/digits.txt')
      for (const [range, bytes, contentRange] of [
        ['bytes=0-3', '0123', 'bytes 0-3/10'],
        ['bytes=-4', '6789', 'bytes 6-9/10'],
        ['bytes=5-', '56789', 'bytes 5-9/10'],
        ['bytes=9-9', '9', 'bytes 9-9/10'],
      ] as const) {
        const response = await get(url, { range })
        assert.equal(response.status, 206, range)
        assert.equal(response.body.toString(), bytes, range)
        assert.equal(response.headers['content-range'], contentRange, range)
        assert.equal(response.headers['content-length'], String(bytes.length), range)
      }
    })

    test('Range starting beyond the end → 416 without file bytes', async () => {
      const url = await urlFor('signed/digits.txt')
      for (const range of ['bytes=10-', 'bytes=10-20', 'bytes=100-200']) {
        const response = await get(url, { range })
        assert.equal(response.status, 416, range)
        assert.ok(!response.body.toString().includes(DIGITS), range)
        if (local) {
          assert.equal(response.headers['content-range'], 'bytes */10', range)
          assertError(response, 416, 'range_not_satisfiable', range)
        }
      }
    })

    test('a tampered signature → 403 with no file bytes', async () => {
      const url = await urlFor('signed/secret.txt')
      const refused = await get(tampered(url))
      assertRefused(refused, SECRET)
      if (local) assertError(refused, 403, 'invalid_signature')
      assertRefused(await get(withParam(url, signatureParam(url), '')), SECRET)
      // The untouched URL still works, so the refusals above were about the signature.
      assert.equal((await get(url)).body.toString(), SECRET)
    })

    test('Content-Disposition follows RFC 6266 with filename* for a non-ASCII name', async () => {
      const response = await get(await urlFor(`signed/${UNICODE_NAME}`))
      assert.equal(response.status, 200)
      const disposition = response.headers['content-disposition'] ?? ''
      assert.match(disposition, /^attachment\s*;/)
      assert.equal(extendedFilename(disposition), UNICODE_NAME)
      const fallback = disposition.match(/(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/)?.[1]
      assert.ok(fallback, `a quoted filename= fallback in ${disposition}`)
      assert.match(fallback, /^[\u0020-\u007e]*$/, 'the fallback is plain ASCII (RFC 6266 §4.3)')
      assert.ok(fallback.startsWith('resume'), 'accents are dropped, not mangled')
      assert.ok(fallback.endsWith('.vcf'), 'the fallback keeps the extension')
    })

    test('a name with quotes and a semicolon is quoted, not injected', async () => {
      const name = 'it\'s "quoted";x.txt'
      const response = await get(await urlFor(`signed/${name}`))
      const disposition = response.headers['content-disposition'] ?? ''
      const fallback = disposition.match(/(?:^|;)\s*filename\s*=\s*"((?:[^"\\]|\\.)*)"/)?.[1]
      assert.equal(fallback?.replace(/\\(.)/g, '$1'), name, disposition)
    })

    test('disposition=inline is served inline', async () => {
      const response = await get(await urlFor('signed/digits.txt', { disposition: 'inline' }))
      assert.equal(response.status, 200)
      assert.match(
        response.headers['content-disposition'] ?? '',
        /^inline\s*;\s*filename="digits.txt"/,
      )
    })

    test('an expired URL → 403 with no file bytes', async () => {
      const url = await signedInThePast(server, () =>
        urlFor('signed/secret.txt', { expires_in: '1' }),
      )
      const response = await get(url)
      assertRefused(response, SECRET)
      if (local) assertError(response, 403, 'url_expired')
    })

    if (!local) {
      test("s3: Granary's own transfer routes are not mounted (404 route_not_found)", async () => {
        const query = 'size=10&expires=9999999999&signature=x'
        for (const [method, url] of [
          ['GET', '/v1/blobs/ws_default/v1/signed/digits.txt?disposition=inline&type=t&expires=1'],
          ['PUT', `/v1/uploads/up_1/content?${query}`],
          ['PUT', `/v1/uploads/up_1/parts/1?${query}`],
        ] as const) {
          const response = await server.app.inject({ method, url, payload: DIGITS })
          assertError(response, 404, 'route_not_found', `${method} ${url}`)
        }
      })
      return
    }

    test('local: security headers on every download', async () => {
      for (const disposition of ['attachment', 'inline']) {
        const response = await get(await urlFor('signed/digits.txt', { disposition }))
        assert.equal(response.headers['x-content-type-options'], 'nosniff')
        assert.match(response.headers['content-security-policy'] ?? '', /\bsandbox\b/)
        assert.match(response.headers['cache-control'] ?? '', /\bprivate\b/)
      }
    })

    test('local: an HTML file asked inline is served with its type, as an attachment, sandboxed', async () => {
      const response = await get(await urlFor('signed/page.html', { disposition: 'inline' }))
      assert.equal(response.status, 200)
      assert.match(response.headers['content-disposition'] ?? '', /^attachment\s*;/)
      assert.match(response.headers['content-type'] ?? '', /^text\/html/)
      assert.equal(response.body.toString(), HTML)
      const csp = response.headers['content-security-policy'] ?? ''
      assert.match(csp, /\bsandbox\b/)
      assert.doesNotMatch(csp, /allow-scripts|allow-same-origin/)
      assert.match(csp, /default-src 'none'/)
      assert.equal(response.headers['x-content-type-options'], 'nosniff')
    })

    test('local: multi-range and malformed ranges answer the whole file (200)', async () => {
      const url = await urlFor('signed/digits.txt')
      for (const range of [
        'bytes=0-1,4-5',
        'bytes=0-1, 8-',
        'bytes=5-2',
        'items=0-3',
        'bytes=x-y',
      ]) {
        const response = await get(url, { range })
        assert.equal(response.status, 200, range)
        assert.equal(response.body.toString(), DIGITS, range)
        assert.equal(response.headers['content-range'], undefined, range)
      }
    })

    test('local: a range past the end is clamped; a zero-length suffix → 416', async () => {
      const url = await urlFor('signed/digits.txt')
      const clamped = await get(url, { range: 'bytes=7-100' })
      assert.equal(clamped.status, 206)
      assert.equal(clamped.body.toString(), '789')
      assert.equal(clamped.headers['content-range'], 'bytes 7-9/10')
      const whole = await get(url, { range: 'bytes=-100' })
      assert.equal(whole.status, 206)
      assert.equal(whole.body.toString(), DIGITS)
      const zero = await get(url, { range: 'bytes=-0' })
      assertError(zero, 416, 'range_not_satisfiable')
      assert.equal(zero.headers['content-range'], 'bytes */10')
    })

    test('local: HEAD answers the headers of GET without a body', async () => {
      const url = await urlFor(`signed/${UNICODE_NAME}`)
      const got = await get(url)
      const head = await fetchSigned(url, { method: 'HEAD' })
      assert.equal(head.status, 200)
      assert.equal(head.body.length, 0)
      for (const name of [
        'etag',
        'content-type',
        'content-length',
        'content-disposition',
        'accept-ranges',
        'x-content-type-options',
        'content-security-policy',
        'cache-control',
      ]) {
        assert.equal(head.headers[name], got.headers[name], name)
      }
      const refused = await fetchSigned(tampered(url), { method: 'HEAD' })
      assert.equal(refused.status, 403)
      assert.equal(refused.body.length, 0)
    })

    test('local: a changed expires → 403 invalid_signature', async () => {
      const url = await urlFor('signed/secret.txt')
      const expires = Number(new URL(url).searchParams.get('expires'))
      for (const changed of [expires + 3600, expires + 1, expires - 1, 99999999999]) {
        assertRefusedByGranary(
          await get(withParam(url, 'expires', String(changed))),
          'invalid_signature',
          SECRET,
        )
      }
    })

    test('local: a changed disposition or type → 403 invalid_signature', async () => {
      const url = await urlFor('signed/secret.txt')
      for (const [name, value] of [
        ['disposition', 'inline'],
        ['type', 'text/html'],
        ['type', 'text/plain; charset=us-ascii'],
        ['type', 'application/octet-stream'],
      ] as const) {
        assertRefusedByGranary(await get(withParam(url, name, value)), 'invalid_signature', SECRET)
      }
      const inline = await urlFor('signed/page.html', { disposition: 'inline' })
      assertRefusedByGranary(
        await get(withParam(inline, 'type', 'application/xhtml+xml')),
        'invalid_signature',
        HTML,
      )
    })

    test('local: a missing parameter is refused without bytes', async () => {
      const url = await urlFor('signed/secret.txt')
      for (const name of ['expires', 'disposition', 'type', 'signature']) {
        const parsed = new URL(url)
        parsed.searchParams.delete(name)
        const response = await get(parsed.toString())
        assert.ok([400, 403].includes(response.status), `${name}: ${response.status}`)
        assert.ok(!response.body.toString().includes(SECRET), name)
      }
    })

    test("local: a signature re-targeted to another blob's path → 403, even within a workspace", async () => {
      const otherUrl = new URL(await urlFor('signed/other.txt'))
      const secretUrl = new URL(await urlFor('signed/secret.txt'))
      const retargeted = new URL(otherUrl)
      retargeted.pathname = secretUrl.pathname
      assertRefusedByGranary(await get(retargeted.toString()), 'invalid_signature', SECRET)
      // Another version of the same key is another blob, too.
      await uploadForm(server, { path: 'signed/', filename: 'secret.txt', content: `${SECRET}-2` })
      const newer = new URL(await urlFor('signed/secret.txt'))
      const oldSigOnNewPath = new URL(secretUrl)
      oldSigOnNewPath.pathname = newer.pathname
      assertRefusedByGranary(await get(oldSigOnNewPath.toString()), 'invalid_signature', SECRET)
    })

    test("local: a signature re-targeted to another workspace's blob → 403", async () => {
      const ws = await send({
        method: 'POST',
        url: '/v1/workspaces',
        json: { id: 'ws_victim', name: 'v' },
      })
      assert.equal(ws.statusCode, 201)
      const up = await uploadForm(server, {
        workspaceId: 'ws_victim',
        path: 'signed/',
        filename: 'digits.txt',
        content: 'VICTIM-BYTES',
      })
      assert.equal(up.statusCode, 201)
      const victim = new URL(await urlFor('signed/digits.txt', {}, 'ws_victim'))
      const mine = new URL(await urlFor('signed/digits.txt'))
      // Same key, same name; only the workspace part of the path differs.
      const swapped = new URL(mine)
      swapped.pathname = mine.pathname.replace('/ws_default/', '/ws_victim/')
      assertRefusedByGranary(await get(swapped.toString()), 'invalid_signature', 'VICTIM')
      const retargeted = new URL(mine)
      retargeted.pathname = victim.pathname
      assertRefusedByGranary(await get(retargeted.toString()), 'invalid_signature', 'VICTIM')
    })

    test('local: paths that climb out of the blob folder serve nothing', async () => {
      const url = new URL(await urlFor('signed/digits.txt'))
      const signingSecret = (await readFile(join(server.dataDir, 'signing.secret'), 'utf8')).trim()
      for (const path of [
        '/v1/blobs/../signing.secret',
        '/v1/blobs/%2e%2e/signing.secret',
        '/v1/blobs/ws_default/..%2f..%2fsigning.secret',
        '/v1/blobs/..%2Fgranary.sqlite',
        '/v1/blobs/',
      ]) {
        const response = await server.app.inject({ method: 'GET', url: `${path}${url.search}` })
        assert.ok([400, 403, 404].includes(response.statusCode), `${path}: ${response.statusCode}`)
        assert.ok(!response.body.includes(signingSecret), `${path} served the signing secret`)
        assert.ok(!response.body.includes('SQLite format'), `${path} served the database`)
      }
    })

    test('local: an upload (PUT) signature used on the download route → 403', async () => {
      const created = await send({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: 'ws_default', filename: 'cross.bin', size: 10, path: 'signed/' },
      })
      assert.equal(created.statusCode, 201)
      const put = new URL(created.json().uploadUrl)
      const params = put.searchParams
      const download = new URL(await urlFor('signed/digits.txt'))
      download.searchParams.set('expires', params.get('expires') ?? '')
      download.searchParams.set('signature', params.get('signature') ?? '')
      assertRefusedByGranary(await get(download.toString()), 'invalid_signature', DIGITS)
      const onUploadId = `${PUBLIC_URL}/v1/blobs/${created.json().uploadId}?${new URLSearchParams({
        expires: params.get('expires') ?? '',
        disposition: 'attachment',
        type: 'application/octet-stream',
        kid: download.searchParams.get('kid') ?? '',
        fid: download.searchParams.get('fid') ?? '',
        gen: download.searchParams.get('gen') ?? '',
        signature: params.get('signature') ?? '',
      })}`
      assertRefusedByGranary(await get(onUploadId), 'invalid_signature')
      // GET on the upload URL itself is no way to read anything either.
      const getUpload = await get(put.toString())
      assert.ok(getUpload.status >= 400 && getUpload.status < 500, String(getUpload.status))
    })

    test('local: a download (GET) signature used on the upload route → 403, nothing received', async () => {
      const created = await send({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: 'ws_default', filename: 'cross2.bin', size: 10, path: 'signed/' },
      })
      assert.equal(created.statusCode, 201)
      const upload = created.json()
      const download = new URL(await urlFor('signed/digits.txt'))
      const forged = withParam(
        withParam(upload.uploadUrl, 'expires', download.searchParams.get('expires') ?? ''),
        'signature',
        download.searchParams.get('signature') ?? '',
      )
      assertRefusedByGranary(
        await fetchSigned(forged, {
          method: 'PUT',
          headers: upload.headers,
          body: Buffer.from('0123456789'),
        }),
        'invalid_signature',
      )
      // The download URL itself does not take a PUT.
      const putOnDownload = await fetchSigned(download.toString(), {
        method: 'PUT',
        headers: { 'content-type': 'text/plain' },
        body: Buffer.from('overwrite!'),
      })
      assert.ok(putOnDownload.status >= 400, String(putOnDownload.status))
      assert.equal((await get(download.toString())).body.toString(), DIGITS)
      const confirm = await send({
        method: 'POST',
        url: '/v1/files/upload-confirm',
        json: { workspace_id: 'ws_default', file_key: upload.fileKey, size: 10 },
      })
      assertError(confirm, 409, 'upload_not_received')
    })
  })

  if (backend.name.endsWith('+s3')) continue

  describe(`Large-file PUT to Granary's signed endpoint (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    let fetchSigned: ReturnType<typeof guardedFetch>
    let counter = 0

    before(async () => {
      server = await startTestServer(backend)
      send = guardedRequest(server)
      fetchSigned = guardedFetch(server)
    })
    after(() => server.close())

    interface Upload {
      uploadUrl: string
      uploadId: string
      fileKey: string
      headers: Record<string, string>
    }

    const newUpload = async (size = 10, extra: Record<string, unknown> = {}): Promise<Upload> => {
      counter += 1
      const response = await send({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: {
          workspace_id: 'ws_default',
          filename: `large-${counter}.bin`,
          path: 'large/',
          size,
          ...extra,
        },
      })
      assert.equal(response.statusCode, 201, response.body)
      return response.json()
    }
    const put = (upload: Upload, body: string, headers = upload.headers, url = upload.uploadUrl) =>
      fetchSigned(url, { method: 'PUT', headers, body: Buffer.from(body) })
    const confirm = (upload: Upload, size = 10) =>
      send({
        method: 'POST',
        url: '/v1/files/upload-confirm',
        json: {
          workspace_id: 'ws_default',
          file_key: upload.fileKey,
          size,
          upload_id: upload.uploadId,
        },
      })
    const listed = async () =>
      (await send({ method: 'GET', url: '/v1/files', query: { workspace_id: 'ws_default' } }))
        .json()
        .files.map((f: { key: string }) => f.key) as string[]

    test('the happy path: exactly size bytes with exactly the headers, then confirm', async () => {
      const upload = await newUpload()
      const response = await put(upload, DIGITS)
      assert.equal(response.status, 200, response.body.toString())
      const confirmed = await confirm(upload)
      assert.equal(confirmed.statusCode, 200, confirmed.body)
      assert.equal(confirmed.json().sha256, sha(DIGITS))
    })

    test('more bytes than declared → 413 upload_too_large, nothing confirmable', async () => {
      const upload = await newUpload()
      assertError(await put(upload, `${DIGITS}X`), 413, 'upload_too_large')
      assertError(await put(upload, DIGITS.repeat(100)), 413, 'upload_too_large')
      assertError(await confirm(upload), 409, 'upload_not_received')
      assert.ok(!(await listed()).includes(upload.fileKey))
    })

    test('fewer bytes than declared → 400 upload_incomplete, nothing confirmable', async () => {
      const upload = await newUpload()
      assertError(await put(upload, DIGITS.slice(0, 9)), 400, 'upload_incomplete')
      assertError(await put(upload, ''), 400, 'upload_incomplete')
      assertError(await confirm(upload), 409, 'upload_not_received')
      assert.ok(!(await listed()).includes(upload.fileKey))
    })

    test('after a failed PUT the same URL still takes the right bytes', async () => {
      const upload = await newUpload()
      assertError(await put(upload, `${DIGITS}X`), 413, 'upload_too_large')
      assertError(await put(upload, 'short'), 400, 'upload_incomplete')
      assert.equal((await put(upload, DIGITS)).status, 200)
      const confirmed = await confirm(upload)
      assert.equal(confirmed.statusCode, 200, confirmed.body)
      assert.equal(confirmed.json().sha256, sha(DIGITS))
    })

    test('a Content-Type other than the listed one → 403, nothing received', async () => {
      const upload = await newUpload(10, { content_type: 'application/x-bam' })
      assert.deepEqual(upload.headers, { 'Content-Type': 'application/x-bam' })
      for (const type of ['application/octet-stream', 'text/html', 'application/x-bam; x=1']) {
        const response = await put(upload, DIGITS, { 'content-type': type })
        assertError(response, 403, 'invalid_signature', type)
      }
      assertError(await confirm(upload), 409, 'upload_not_received')
    })

    test('a second PUT after success → 409 upload_already_received; the first bytes stay', async () => {
      const upload = await newUpload()
      assert.equal((await put(upload, DIGITS)).status, 200)
      assertError(await put(upload, 'ABCDEFGHIJ'), 409, 'upload_already_received')
      const confirmed = await confirm(upload)
      assert.equal(confirmed.statusCode, 200)
      assert.equal(confirmed.json().sha256, sha(DIGITS))
      assertError(await put(upload, 'ABCDEFGHIJ'), 409, 'upload_already_received')
    })

    test('a URL signed for one upload, pointed at another upload id → 403', async () => {
      const mine = await newUpload()
      const theirs = await newUpload()
      const retargeted = new URL(mine.uploadUrl)
      retargeted.pathname = new URL(theirs.uploadUrl).pathname
      assertError(
        await put(theirs, DIGITS, theirs.headers, retargeted.toString()),
        403,
        'invalid_signature',
      )
      assertError(await confirm(theirs), 409, 'upload_not_received')
      // And mine is still there to use.
      assert.equal((await put(mine, DIGITS)).status, 200)
    })

    test('a changed size, expires or signature → 403', async () => {
      const upload = await newUpload()
      const expires = Number(new URL(upload.uploadUrl).searchParams.get('expires'))
      for (const url of [
        withParam(upload.uploadUrl, 'size', '11'),
        withParam(upload.uploadUrl, 'size', '9'),
        withParam(upload.uploadUrl, 'expires', String(expires + 3600)),
        tampered(upload.uploadUrl),
      ]) {
        const size = Number(new URL(url).searchParams.get('size'))
        assertError(
          await put(upload, 'x'.repeat(size), upload.headers, url),
          403,
          'invalid_signature',
        )
      }
      assertError(await confirm(upload), 409, 'upload_not_received')
    })

    test('an expired upload URL → 403 url_expired', async () => {
      const upload = await signedInThePast(server, () => newUpload(10, { expires_in: 1 }))
      assertError(await put(upload, DIGITS), 403, 'url_expired')
      assertError(await confirm(upload), 409, 'upload_not_received')
    })
  })
}
