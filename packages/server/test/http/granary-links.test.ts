/**
 * Granary links (issue #15): a download URL whose path ends in the file's name and carries its
 * signature, so htslib finds the index by appending `.bai`. The link serves its file and the
 * file's index siblings, nothing else; on S3 it answers 307 to a presigned URL. (The htslib tools
 * themselves run on these links in test/genomics/htslib-links.test.ts.)
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { assertError, guardedFetch, guardedRequest } from '../support/http-assertions.ts'
import {
  PUBLIC_URL,
  type SignedResponse,
  signedInThePast,
  startTestServer,
  type TestServer,
  uploadForm,
} from '../support/test-server.ts'

const FILES: ReadonlyArray<[string, string]> = [
  ['g/x.bam', 'BAM-BYTES-0123456789'],
  ['g/x.bam.bai', 'BAI-BYTES'],
  ['g/y.vcf.gz', 'VCF-BYTES'],
  ['g/secret.txt', 'SECRET-never-under-a-link'],
  ['h/x.bam.bai', 'OTHER-FOLDER-BAI'],
  ['u/résumé 基因 #1.vcf.gz', 'UNICODE-VCF'],
  ['u/résumé 基因 #1.vcf.gz.tbi', 'UNICODE-TBI'],
]

/** The link with its path's last segments replaced by `name` (a sibling htslib would ask for). */
function withName(url: string, key: string): string {
  const parsed = new URL(url)
  const token = parsed.pathname.split('/')[3]
  parsed.pathname = `/v1/links/${token}/${key.split('/').map(encodeURIComponent).join('/')}`
  return parsed.toString()
}

/** The link with one field of its token changed (0 workspace .. 5 generation, 6 signature). */
function withTokenField(url: string, field: number, change: (value: string) => string): string {
  const parsed = new URL(url)
  const parts = parsed.pathname.split('/')
  const fields = (parts[3] ?? '').split('.')
  fields[field] = change(fields[field] ?? '')
  parts[3] = fields.join('.')
  parsed.pathname = parts.join('/')
  return parsed.toString()
}

for (const backend of backendMatrix()) {
  const s3 = backend.name.endsWith('+s3')

  describe(`Granary links (${backend.name})`, () => {
    let server: TestServer
    let send: ReturnType<typeof guardedRequest>
    let fetchSigned: ReturnType<typeof guardedFetch>

    before(async () => {
      server = await startTestServer(backend)
      send = guardedRequest(server)
      fetchSigned = guardedFetch(server)
      for (const [key, content] of FILES) {
        const slash = key.lastIndexOf('/')
        const path = key.slice(0, slash + 1)
        const response = await uploadForm(server, { path, filename: key.slice(slash + 1), content })
        assert.equal(response.statusCode, 201, response.body)
      }
    })
    after(() => server.close())

    const download = async (key: string, query: Record<string, string> = {}) => {
      const response = await send({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key, link: 'granary', ...query },
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json() as {
        url: string
        expires_at: string
        index_url?: string
        index_key?: string
      }
    }
    /** GETs a link: Granary streams it (local) or redirects to a presigned URL (S3), followed. */
    const open = async (url: string, headers: Record<string, string> = {}) => {
      const first = await fetchSigned(url, { headers })
      if (!s3 || first.status !== 307) return first
      const location = first.headers.location ?? ''
      assert.ok(!location.startsWith(PUBLIC_URL), `a redirect to the store: ${location}`)
      assert.match(first.headers['cache-control'] ?? '', /no-store/)
      return fetchSigned(location, { headers })
    }
    const body = (response: SignedResponse) => response.body.toString()

    test('the download URL is a link ending in the file name (default on local, asked on S3)', async () => {
      const byDefault = await send({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key: 'g/x.bam' },
      })
      const defaultUrl = new URL(byDefault.json().url)
      assert.equal(defaultUrl.pathname.startsWith('/v1/links/'), !s3, defaultUrl.toString())
      const { url, expires_at } = await download('g/x.bam')
      const parsed = new URL(url)
      assert.equal(parsed.search, '', 'the signature is in the path, not the query')
      assert.match(parsed.pathname, /^\/v1\/links\/[^/]+\/g\/x\.bam$/)
      assert.ok(Date.parse(expires_at) > Date.now())
      if (s3) assert.equal((await server.fetchSigned(url)).status, 307)
    })

    test('a link serves the bytes, ranges and the headers of every download', async () => {
      const { url } = await download('g/x.bam')
      const whole = await open(url)
      assert.equal(whole.status, 200)
      assert.equal(body(whole), 'BAM-BYTES-0123456789')
      assert.match(whole.headers['content-disposition'] ?? '', /^attachment;.*x\.bam/)
      assert.match(whole.headers['cache-control'] ?? '', /no-store/)
      const part = await open(url, { range: 'bytes=4-8' })
      assert.equal(part.status, 206)
      assert.equal(body(part), 'BYTES')
      assert.equal(part.headers['content-range'], 'bytes 4-8/20')
      if (!s3) {
        const head = await server.fetchSigned(url, { method: 'HEAD' })
        assert.equal(head.status, 200)
        assert.equal(head.body.length, 0)
        assert.equal(head.headers['content-length'], '20')
      }
    })

    test("the same link serves the file's index by htslib's names; absent ones are a 404", async () => {
      const { url } = await download('g/x.bam')
      // htslib appends the extension to the URL it was given.
      const bai = await open(`${url}.bai`)
      assert.equal(bai.status, 200)
      assert.equal(body(bai), 'BAI-BYTES')
      assert.match(bai.headers['content-disposition'] ?? '', /x\.bam\.bai/)
      for (const absent of ['g/x.bam.csi', 'g/x.bai', 'g/x.csi']) {
        const response = await fetchSigned(withName(url, absent))
        assertError(response, 404, 'file_not_found', absent)
      }
    })

    test('names with spaces, accents, CJK and # survive in the path, index included', async () => {
      const { url } = await download('u/résumé 基因 #1.vcf.gz')
      assert.ok(url.endsWith('/u/r%C3%A9sum%C3%A9%20%E5%9F%BA%E5%9B%A0%20%231.vcf.gz'), url)
      assert.equal(body(await open(url)), 'UNICODE-VCF')
      assert.equal(body(await open(`${url}.tbi`)), 'UNICODE-TBI')
      assertError(await fetchSigned(`${url}.csi`), 404, 'file_not_found')
    })

    test('no other name, folder or workspace is served under a link', async () => {
      const { url } = await download('g/x.bam')
      for (const key of ['g/secret.txt', 'h/x.bam.bai', 'g/y.vcf.gz', 'x.bam', 'g/x.bam.bai.bai']) {
        const refused = await fetchSigned(withName(url, key))
        assertError(refused, 403, 'invalid_signature', key)
        assert.ok(!body(refused).includes('SECRET') && !body(refused).includes('OTHER'))
      }
      const otherWorkspace = withTokenField(url, 0, () => 'ws_other')
      assertError(await fetchSigned(otherWorkspace), 403, 'invalid_signature')
    })

    test('a tampered signature, expiry, disposition, issuer or generation → 403; an expired link → url_expired', async () => {
      const { url } = await download('g/x.bam')
      const flip = (value: string) =>
        `${value.slice(0, 5)}${value[5] === 'A' ? 'B' : 'A'}${value.slice(6)}`
      const changes: Array<[number, (value: string) => string]> = [
        [6, flip],
        [6, () => ''],
        [5, () => '7'],
        [2, (expires) => String(Number(expires) + 3600)],
        [3, (d) => (d === 'a' ? 'i' : 'a')],
        [4, () => 'key_someoneelse'],
        [1, flip],
      ]
      for (const [field, change] of changes) {
        const refused = await fetchSigned(withTokenField(url, field, change))
        assertError(refused, 403, 'invalid_signature', `field ${field}`)
      }
      for (const malformed of ['/v1/links/', '/v1/links/x/g/x.bam', '/v1/links/a.b.c/g/x.bam']) {
        assertError(await fetchSigned(`${PUBLIC_URL}${malformed}`), 403, 'invalid_signature')
      }
      const expired = await signedInThePast(server, () => download('g/x.bam', { expires_in: '1' }))
      assertError(await fetchSigned(expired.url), 403, 'url_expired')
      assertError(await fetchSigned(`${expired.url}.bai`), 403, 'url_expired')
    })

    test("a deleted or replaced file's link stops, its index's too", async () => {
      const keep = await uploadForm(server, { path: 'd/', filename: 'z.bam', content: 'Z1' })
      assert.equal(keep.statusCode, 201)
      await uploadForm(server, { path: 'd/', filename: 'z.bam.bai', content: 'ZI' })
      const first = await download('d/z.bam')
      assert.equal(body(await open(first.url)), 'Z1')
      const replaced = await uploadForm(server, {
        path: 'd/',
        filename: 'z.bam',
        content: 'Z2',
        fields: { overwrite: 'true' },
      })
      assert.equal(replaced.statusCode, 201, replaced.body)
      assertError(await fetchSigned(first.url), 404, 'file_not_found')
      assertError(await fetchSigned(`${first.url}.bai`), 404, 'file_not_found')
      const second = await download('d/z.bam')
      assert.equal(body(await open(second.url)), 'Z2')
      const deleted = await send({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', key: 'd/z.bam' },
      })
      assert.ok(deleted.statusCode < 300, deleted.body)
      assertError(await fetchSigned(second.url), 404, 'file_not_found')
    })

    test('with_index=true answers index_url and index_key when an index exists', async () => {
      const withIndex = await download('g/x.bam', { with_index: 'true' })
      assert.equal(withIndex.index_key, 'g/x.bam.bai')
      assert.equal(body(await open(withIndex.index_url ?? '')), 'BAI-BYTES')
      const direct = await download('g/x.bam', { with_index: 'true', link: 'direct' })
      assert.equal(direct.index_key, 'g/x.bam.bai')
      assert.equal(body(await fetchSigned(direct.index_url ?? '')), 'BAI-BYTES')
      const none = await download('g/y.vcf.gz', { with_index: 'true' })
      assert.deepEqual(Object.keys(none).sort(), ['expires_at', 'url'])
      const notAsked = await download('g/x.bam')
      assert.deepEqual(Object.keys(notAsked).sort(), ['expires_at', 'url'])
    })

    test('browsers on any origin may read links (igv.js): CORS on answers and preflights', async () => {
      const { url } = await download('g/x.bam')
      const got = await server.fetchSigned(url, { headers: { origin: 'https://igv.example.org' } })
      assert.equal(got.headers['access-control-allow-origin'], '*')
      assert.match(got.headers['access-control-expose-headers'] ?? '', /content-range/)
      const preflight = await server.fetchSigned(url, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://igv.example.org',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'range',
        },
      })
      assert.equal(preflight.status, 204)
      assert.match(preflight.headers['access-control-allow-headers'] ?? '', /range/)
      assert.match(preflight.headers['access-control-allow-methods'] ?? '', /GET/)
    })
  })
}
