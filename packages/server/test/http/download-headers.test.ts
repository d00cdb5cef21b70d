/**
 * Serving files safely (issue #11): every download is `Cache-Control: private, no-store`; active
 * content (HTML, SVG, XHTML, XML, JavaScript) is an attachment even when inline is asked; text is
 * `charset=utf-8` unless it declares a charset. On S3 the same holds through the presigned URL's
 * response overrides, checked against the real bucket's answer.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { guardedFetch, guardedRequest } from '../support/http-assertions.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

const ACTIVE: ReadonlyArray<[string, string]> = [
  ['page.html', '<script>alert(1)</script>'],
  ['logo.svg', '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'],
  ['page.xhtml', '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>'],
  ['data.xml', '<?xml version="1.0"?><a/>'],
  ['app.js', 'alert(1)'],
]
const NOTE = 'Zürich → 東京 ✓'

for (const backend of backendMatrix()) {
  describe(`Download headers (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend)
      for (const [filename, content] of [...ACTIVE, ['note.txt', NOTE] as const]) {
        const response = await uploadForm(server, { path: 'h/', filename, content })
        assert.equal(response.statusCode, 201, response.body)
      }
    })
    after(() => server.close())

    const download = async (key: string, disposition: 'inline' | 'attachment') => {
      const link = await guardedRequest(server)({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key, disposition },
      })
      assert.equal(link.statusCode, 200, link.body)
      const response = await guardedFetch(server)(link.json().url)
      assert.equal(response.status, 200, `${key}: ${response.body.toString().slice(0, 200)}`)
      return response
    }

    test('active content is an attachment even when inline is asked, never cached', async () => {
      for (const [filename, content] of ACTIVE) {
        const response = await download(`h/${filename}`, 'inline')
        assert.match(response.headers['content-disposition'] ?? '', /^attachment\s*;/, filename)
        assert.match(response.headers['cache-control'] ?? '', /\bno-store\b/, filename)
        assert.match(response.headers['cache-control'] ?? '', /\bprivate\b/, filename)
        assert.equal(response.body.toString(), content)
      }
    })

    test('a UTF-8 note is served inline as text/plain; charset=utf-8, never cached', async () => {
      const response = await download('h/note.txt', 'inline')
      assert.match(response.headers['content-disposition'] ?? '', /^inline\s*;/)
      assert.match(response.headers['content-type'] ?? '', /^text\/plain;\s*charset=utf-8$/i)
      assert.match(response.headers['cache-control'] ?? '', /\bno-store\b/)
      assert.equal(response.body.toString('utf8'), NOTE)
    })

    test('a declared charset is kept', async () => {
      const created = await server.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: {
          workspace_id: 'ws_default',
          filename: 'latin.txt',
          path: 'h/',
          size: 3,
          content_type: 'text/plain; charset=iso-8859-1',
        },
      })
      assert.equal(created.statusCode, 201, created.body)
      const info = created.json()
      const body = Buffer.from([0x5a, 0xfc, 0x72]) // "Zür" in Latin-1
      const put = await server.fetchSigned(info.uploadUrl, {
        method: 'PUT',
        headers: info.headers,
        body,
      })
      assert.ok(put.status < 300, put.body.toString())
      const confirmed = await server.request({
        method: 'POST',
        url: '/v1/files/upload-confirm',
        json: { workspace_id: 'ws_default', file_key: 'h/latin.txt', size: 3 },
      })
      assert.equal(confirmed.statusCode, 200, confirmed.body)
      const response = await download('h/latin.txt', 'inline')
      assert.match(response.headers['content-type'] ?? '', /^text\/plain;\s*charset=iso-8859-1$/i)
    })
  })
}
