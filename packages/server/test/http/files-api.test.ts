import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import {
  startTestServer,
  type TestServer,
  uploadForm,
  withoutHistory,
} from '../support/test-server.ts'

const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

for (const backend of backendMatrix()) {
  describe(`Files API (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend)
      // These are the seed's semantics; versions and trash: lifecycle.test.ts.
      await withoutHistory(server)
    })
    after(() => server.close())

    const list = async (query: Record<string, string>) => {
      const response = await server.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', ...query },
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json()
    }
    const download = async (key: string, query: Record<string, string> = {}) => {
      const response = await server.request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key, ...query },
      })
      assert.equal(response.statusCode, 200, response.body)
      return server.fetchSigned(response.json().url)
    }

    test('upload answers 201 with the file; key = path + file name', async () => {
      const content = '##fileformat=VCFv4.2\n#CHROM\tPOS\n'
      const response = await uploadForm(server, {
        path: 'raw/',
        filename: 'sample.vcf',
        content,
        fields: { description: 'trio' },
      })
      assert.equal(response.statusCode, 201, response.body)
      const file = response.json()
      assert.equal(file.key, 'raw/sample.vcf')
      assert.equal(file.name, 'sample.vcf')
      assert.equal(file.size, Buffer.byteLength(content))
      assert.equal(file.sha256, sha(content))
      assert.equal(file.description, 'trio')
      assert.equal(file.content_type, 'text/x-vcf')
      assert.equal(file.workspace_id, 'ws_default')
      assert.match(file.id, /^file_/)
      assert.ok(Date.parse(file.created_at) <= Date.parse(file.updated_at))
    })

    test('path without a trailing slash, and no path at all', async () => {
      assert.equal(
        (await uploadForm(server, { path: 'raw', filename: 'a.txt', content: 'a' })).json().key,
        'raw/a.txt',
      )
      assert.equal(
        (await uploadForm(server, { filename: 'top.txt', content: 't' })).json().key,
        'top.txt',
      )
    })

    test('list answers metadata sorted by key, filtered by prefix', async () => {
      const page = await list({ prefix: 'raw/' })
      assert.deepEqual(
        page.files.map((f: { key: string }) => f.key),
        ['raw/a.txt', 'raw/sample.vcf'],
      )
      assert.equal(page.next_cursor, null)
      assert.equal(page.folders, undefined)
      for (const field of [
        'id',
        'key',
        'name',
        'size',
        'content_type',
        'description',
        'sha256',
        'created_at',
        'updated_at',
      ]) {
        assert.ok(field in page.files[0], field)
      }
    })

    test('download URL serves the exact bytes with the file name', async () => {
      const got = await download('raw/sample.vcf')
      assert.equal(got.status, 200)
      assert.equal(got.body.toString(), '##fileformat=VCFv4.2\n#CHROM\tPOS\n')
      assert.match(got.headers['content-disposition'] ?? '', /attachment; filename="sample.vcf"/)
    })

    test('download URL answers expires_at about an hour ahead by default, and honours expires_in', async () => {
      const query = { workspace_id: 'ws_default', key: 'raw/sample.vcf' }
      const one = (await server.request({ method: 'GET', url: '/v1/files/download', query })).json()
      const ahead = Date.parse(one.expires_at) - Date.now()
      assert.ok(ahead > 3590_000 && ahead <= 3600_000, String(ahead))
      const short = (
        await server.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { ...query, expires_in: '60' },
        })
      ).json()
      assert.ok(Date.parse(short.expires_at) - Date.now() <= 60_000)
      for (const bad of ['0', '604801', 'soon']) {
        const response = await server.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { ...query, expires_in: bad },
        })
        assert.equal(response.statusCode, 400)
        assert.equal(response.json().error.code, 'invalid_request')
      }
    })

    test('replacing a key is atomic: same id, new bytes, old URL no longer serves old bytes', async () => {
      const before = (await list({ prefix: 'raw/a.txt' })).files[0]
      const replaced = await uploadForm(server, {
        path: 'raw/',
        filename: 'a.txt',
        content: 'second version',
      })
      assert.equal(replaced.statusCode, 201)
      assert.equal(replaced.json().id, before.id)
      assert.equal(replaced.json().created_at, before.created_at)
      assert.equal(replaced.json().sha256, sha('second version'))
      assert.equal((await download('raw/a.txt')).body.toString(), 'second version')
    })

    test('overwrite=false is create-only: 409 file_exists and the file is unchanged', async () => {
      const response = await uploadForm(server, {
        path: 'raw/',
        filename: 'a.txt',
        content: 'third',
        fields: { overwrite: 'false' },
      })
      assert.equal(response.statusCode, 409)
      assert.equal(response.json().error.code, 'file_exists')
      assert.equal((await download('raw/a.txt')).body.toString(), 'second version')
      const created = await uploadForm(server, {
        path: 'raw/',
        filename: 'new.txt',
        content: 'n',
        fields: { overwrite: 'false' },
      })
      assert.equal(created.statusCode, 201)
    })

    test('folder view lists files directly under the prefix and the folders below it', async () => {
      for (const key of [
        'results/run1/a.bam',
        'results/run1/b.bam',
        'results/run2/c.bam',
        'results/summary.tsv',
        'results/z/d',
      ]) {
        const slash = key.lastIndexOf('/')
        await uploadForm(server, {
          path: key.slice(0, slash + 1),
          filename: key.slice(slash + 1),
          content: key,
        })
      }
      const view = await list({ prefix: 'results/', delimiter: '/' })
      assert.deepEqual(view.folders, ['results/run1/', 'results/run2/', 'results/z/'])
      assert.deepEqual(
        view.files.map((f: { key: string }) => f.key),
        ['results/summary.tsv'],
      )
      const top = await list({ delimiter: '/' })
      assert.deepEqual(top.folders, ['raw/', 'results/'])
      assert.deepEqual(
        top.files.map((f: { key: string }) => f.key),
        ['top.txt'],
      )
    })

    test('cursor pagination walks every file once, in order, also in the folder view', async () => {
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const page = await list({ limit: '2', ...(cursor ? { cursor } : {}) })
        assert.ok(page.files.length <= 2)
        seen.push(...page.files.map((f: { key: string }) => f.key))
        cursor = page.next_cursor
      } while (cursor)
      const all = (await list({ limit: '1000' })).files.map((f: { key: string }) => f.key)
      assert.deepEqual(seen, all)
      assert.deepEqual([...all].sort(), all)
      const entries: string[] = []
      cursor = null
      do {
        const page = await list({
          prefix: 'results/',
          delimiter: '/',
          limit: '1',
          ...(cursor ? { cursor } : {}),
        })
        assert.equal(page.files.length + page.folders.length, 1)
        entries.push(...page.folders, ...page.files.map((f: { key: string }) => f.key))
        cursor = page.next_cursor
      } while (cursor)
      assert.deepEqual(entries, [
        'results/run1/',
        'results/run2/',
        'results/summary.tsv',
        'results/z/',
      ])
    })

    test('limit is 1..1000 and a forged cursor is a clear 400', async () => {
      for (const limit of ['0', '1001', 'ten']) {
        const response = await server.request({
          method: 'GET',
          url: '/v1/files',
          query: { workspace_id: 'ws_default', limit },
        })
        assert.equal(response.statusCode, 400)
      }
      const forged = await server.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', cursor: 'not-a-cursor' },
      })
      assert.equal(forged.statusCode, 400)
      assert.match(forged.json().error.message, /cursor/)
    })

    test('awkward but legal keys round-trip byte-exact through upload, list, download and delete', async () => {
      const names = [
        'my file (1).vcf',
        'it\'s "quoted".txt',
        '100%.csv',
        'a#b?c+d&e=f.txt',
        'résumé.txt',
        '基因组.fa',
        'emoji-😀.txt',
        ' leading space.txt',
      ]
      for (const name of names) {
        const response = await uploadForm(server, {
          path: 'odd dir/ü/',
          filename: name,
          content: name,
        })
        assert.equal(response.statusCode, 201, `${name}: ${response.body}`)
        const key = `odd dir/ü/${name}`
        assert.equal(response.json().key, key)
        const got = await download(key)
        assert.equal(got.status, 200, name)
        assert.equal(got.body.toString(), name)
      }
      const listed = (await list({ prefix: 'odd dir/ü/' })).files.map(
        (f: { name: string }) => f.name,
      )
      assert.deepEqual([...listed].sort(), [...names].sort())
      for (const name of names) {
        const response = await server.request({
          method: 'DELETE',
          url: '/v1/files',
          query: { workspace_id: 'ws_default', key: `odd dir/ü/${name}` },
        })
        assert.equal(response.statusCode, 204, name)
      }
      assert.deepEqual((await list({ prefix: 'odd dir/' })).files, [])
    })

    test('a decomposed (NFD) file name is stored under its NFC key', async () => {
      const nfd = 'cafe\u0301.txt'
      const response = await uploadForm(server, { filename: nfd, content: 'x' })
      assert.equal(response.statusCode, 201)
      assert.equal(response.json().key, 'caf\u00e9.txt')
    })

    test('delete removes the file and its bytes; a second delete is 404 file_not_found', async () => {
      await uploadForm(server, { path: 'tmp/', filename: 'gone.txt', content: 'bye' })
      const url = (
        await server.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { workspace_id: 'ws_default', key: 'tmp/gone.txt' },
        })
      ).json().url
      const query = { workspace_id: 'ws_default', key: 'tmp/gone.txt' }
      assert.equal(
        (await server.request({ method: 'DELETE', url: '/v1/files', query })).statusCode,
        204,
      )
      const again = await server.request({ method: 'DELETE', url: '/v1/files', query })
      assert.equal(again.statusCode, 404)
      assert.equal(again.json().error.code, 'file_not_found')
      assert.equal((await list({ prefix: 'tmp/' })).files.length, 0)
      assert.equal((await server.fetchSigned(url)).status, 404)
    })

    test('download of a missing key is 404 file_not_found', async () => {
      const response = await server.request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key: 'nope.txt' },
      })
      assert.equal(response.statusCode, 404)
      assert.equal(response.json().error.code, 'file_not_found')
    })

    test('an empty file uploads and downloads', async () => {
      const response = await uploadForm(server, { filename: 'empty.txt', content: '' })
      assert.equal(response.statusCode, 201)
      assert.equal(response.json().size, 0)
      const got = await download('empty.txt')
      assert.equal(got.status, 200)
      assert.equal(got.body.length, 0)
    })

    test('a form upload rejected mid-file answers cleanly and the server stays up', async () => {
      for (let i = 0; i < 5; i++) {
        const response = await uploadForm(server, {
          workspaceId: 'ws_missing',
          filename: 'big.bin',
          content: Buffer.alloc(2_000_000),
        })
        assert.equal(response.statusCode, 404)
        assert.equal(response.json().error.code, 'workspace_not_found')
      }
      assert.equal((await server.request({ method: 'GET', url: '/healthz' })).statusCode, 200)
    })

    if (backend.name.endsWith('+local')) {
      test('replaced and deleted versions leave no bytes behind on disk', async () => {
        const blobs = join(server.dataDir, 'blobs', 'ws_default')
        const versions = await readdir(blobs)
        const files = (await list({ limit: '1000' })).files
        assert.equal(versions.length, files.length)
      })
    }
  })
}
