import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { startTestServer, type TestServer } from '../support/test-server.ts'

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex')

for (const backend of backendMatrix()) {
  describe(`large-file flow (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend)
    })
    after(() => server.close())

    const start = async (body: Record<string, unknown>) => {
      const response = await server.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: 'ws_default', content_type: 'application/octet-stream', ...body },
      })
      assert.equal(response.statusCode, 201, response.body)
      return response.json()
    }
    const put = (info: { uploadUrl: string; headers: Record<string, string> }, bytes: Buffer) =>
      server.fetchSigned(info.uploadUrl, { method: 'PUT', headers: info.headers, body: bytes })
    const confirm = (body: Record<string, unknown>) =>
      server.request({
        method: 'POST',
        url: '/v1/files/upload-confirm',
        json: { workspace_id: 'ws_default', ...body },
      })
    const listed = async (prefix: string) =>
      (
        await server.request({
          method: 'GET',
          url: '/v1/files',
          query: { workspace_id: 'ws_default', prefix },
        })
      ).json().files

    test("the seed's flow: upload-url, PUT with exactly the headers, confirm", async () => {
      const bytes = randomBytes(256 * 1024)
      const info = await start({ filename: 'large_genome.bam', size: bytes.length, path: 'bam/' })
      assert.equal(info.fileKey, 'bam/large_genome.bam')
      assert.match(info.uploadId, /^up_/)
      assert.equal(info.method, 'PUT')
      assert.deepEqual(info.headers, { 'Content-Type': 'application/octet-stream' })
      assert.ok(Date.parse(info.expiresAt) > Date.now())
      assert.deepEqual(await listed('bam/'), [], 'nothing is listed before confirm')
      assert.ok((await put(info, bytes)).status < 300)
      const response = await confirm({
        file_key: info.fileKey,
        filename: 'large_genome.bam',
        size: bytes.length,
      })
      assert.equal(response.statusCode, 200, response.body)
      const file = response.json()
      assert.equal(file.key, 'bam/large_genome.bam')
      assert.equal(file.size, bytes.length)
      assert.equal(file.sha256, sha(bytes))
      assert.deepEqual(
        (await listed('bam/')).map((f: { key: string }) => f.key),
        ['bam/large_genome.bam'],
      )
      const url = (
        await server.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { workspace_id: 'ws_default', key: file.key },
        })
      ).json().url
      assert.deepEqual((await server.fetchSigned(url)).body, bytes)
    })

    test('confirming again answers the same file', async () => {
      const bytes = randomBytes(1000)
      const info = await start({ filename: 'twice.bin', size: bytes.length })
      await put(info, bytes)
      const first = await confirm({
        file_key: info.fileKey,
        size: bytes.length,
        upload_id: info.uploadId,
      })
      const second = await confirm({
        file_key: info.fileKey,
        size: bytes.length,
        upload_id: info.uploadId,
      })
      const third = await confirm({ file_key: info.fileKey, size: bytes.length })
      assert.equal(first.statusCode, 200)
      assert.deepEqual(second.json(), first.json())
      assert.deepEqual(third.json(), first.json())
    })

    test('confirming again checks size, and a key without files:read learns only id and key', async () => {
      const writer = await server.key(['files:write'], ['ws_default'])
      const bytes = randomBytes(1000)
      const info = await start({ filename: 'private.bin', size: bytes.length, description: 'd' })
      await put(info, bytes)
      const as = (key: string, size: number) =>
        server.request({
          method: 'POST',
          url: '/v1/files/upload-confirm',
          json: { workspace_id: 'ws_default', file_key: info.fileKey, size },
          as: key,
        })
      const first = await as(writer, bytes.length)
      assert.equal(first.statusCode, 200, first.body)
      assert.equal(first.json().sha256, sha(bytes), 'the writer learns what it just wrote')
      const again = await as(writer, bytes.length)
      assert.equal(again.statusCode, 200, again.body)
      assert.deepEqual(again.json(), { id: first.json().id, key: info.fileKey })
      for (const size of [0, bytes.length + 1]) {
        const wrong = await as(writer, size)
        assert.equal(wrong.statusCode, 422, wrong.body)
        assert.equal(wrong.json().error.code, 'size_mismatch')
      }
      const reader = await server.key(['files:read', 'files:write'], ['ws_default'])
      assert.deepEqual((await as(reader, bytes.length)).json(), first.json())
    })

    test('confirm before the PUT is 409 upload_not_received and nothing is visible', async () => {
      const info = await start({ filename: 'early.bin', size: 10 })
      const response = await confirm({ file_key: info.fileKey, size: 10 })
      assert.equal(response.statusCode, 409)
      assert.equal(response.json().error.code, 'upload_not_received')
      assert.deepEqual(await listed('early.bin'), [])
    })

    test('a size that differs from the declared one is 422 size_mismatch', async () => {
      const bytes = randomBytes(100)
      const info = await start({ filename: 'sized.bin', size: 100 })
      await put(info, bytes)
      const response = await confirm({ file_key: info.fileKey, size: 99, upload_id: info.uploadId })
      assert.equal(response.statusCode, 422)
      assert.equal(response.json().error.code, 'size_mismatch')
      assert.deepEqual(await listed('sized.bin'), [])
    })

    test('a declared SHA-256 that does not match is 422 checksum_mismatch and nothing becomes visible', async () => {
      const bytes = randomBytes(2048)
      const info = await start({
        filename: 'sum.bin',
        size: bytes.length,
        sha256: sha(Buffer.from('other')),
      })
      await put(info, bytes)
      const response = await confirm({
        file_key: info.fileKey,
        size: bytes.length,
        upload_id: info.uploadId,
      })
      assert.equal(response.statusCode, 422)
      assert.equal(response.json().error.code, 'checksum_mismatch')
      assert.deepEqual(await listed('sum.bin'), [])
      const again = await confirm({
        file_key: info.fileKey,
        size: bytes.length,
        upload_id: info.uploadId,
      })
      assert.equal(again.statusCode, 404, 'a rejected upload is gone')
    })

    test('a matching declared SHA-256 (on confirm) is accepted', async () => {
      const bytes = randomBytes(2048)
      const info = await start({ filename: 'sum-ok.bin', size: bytes.length })
      await put(info, bytes)
      const response = await confirm({
        file_key: info.fileKey,
        size: bytes.length,
        sha256: sha(bytes).toUpperCase(),
      })
      assert.equal(response.statusCode, 200, response.body)
    })

    test('two pending uploads of one key: confirm without upload_id is 409 upload_ambiguous', async () => {
      const one = await start({ filename: 'dup.bin', size: 3 })
      const two = await start({ filename: 'dup.bin', size: 3 })
      await put(one, Buffer.from('one'))
      await put(two, Buffer.from('two'))
      const response = await confirm({ file_key: 'dup.bin', size: 3 })
      assert.equal(response.statusCode, 409)
      assert.equal(response.json().error.code, 'upload_ambiguous')
      assert.deepEqual(
        response.json().error.details.upload_ids.sort(),
        [one.uploadId, two.uploadId].sort(),
      )
      assert.equal(
        (await confirm({ file_key: 'dup.bin', size: 3, upload_id: two.uploadId })).statusCode,
        200,
      )
      assert.equal(
        (await confirm({ file_key: 'dup.bin', size: 3, upload_id: one.uploadId })).statusCode,
        200,
      )
      const url = (
        await server.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { workspace_id: 'ws_default', key: 'dup.bin' },
        })
      ).json().url
      assert.equal(
        (await server.fetchSigned(url)).body.toString(),
        'one',
        'the last completed upload wins',
      )
    })

    test('overwrite=false: upload-url and confirm refuse an existing key with 409 file_exists', async () => {
      const info = await start({ filename: 'once.bin', size: 1, overwrite: false })
      await put(info, Buffer.from('1'))
      assert.equal((await confirm({ file_key: 'once.bin', size: 1 })).statusCode, 200)
      const refused = await server.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: 'ws_default', filename: 'once.bin', size: 1, overwrite: false },
      })
      assert.equal(refused.statusCode, 409)
      assert.equal(refused.json().error.code, 'file_exists')
    })

    test('an unknown upload is 404 upload_not_found', async () => {
      const response = await confirm({ file_key: 'never.bin', size: 1 })
      assert.equal(response.statusCode, 404)
      assert.equal(response.json().error.code, 'upload_not_found')
      const byId = await confirm({ file_key: 'never.bin', size: 1, upload_id: 'up_doesnotexist' })
      assert.equal(byId.json().error.code, 'upload_not_found')
    })

    test('content_type is kept and required on the PUT', async () => {
      const info = await start({ filename: 'calls.vcf', size: 5, content_type: 'text/x-vcf' })
      assert.deepEqual(info.headers, { 'Content-Type': 'text/x-vcf' })
      assert.ok((await put(info, Buffer.from('chr1\n'))).status < 300)
      assert.equal(
        (await confirm({ file_key: info.fileKey, size: 5 })).json().content_type,
        'text/x-vcf',
      )
    })

    test('the PUT takes any declared content type, JSON and text included, at any size', async () => {
      for (const [filename, contentType] of [
        ['reads.fq', 'text/plain'],
        ['table.json', 'application/json'],
        ['form.txt', 'application/x-www-form-urlencoded'],
      ]) {
        const bytes = Buffer.alloc(1_500_000, 'a')
        const info = await start({ filename, size: bytes.length, content_type: contentType })
        const response = await put(info, bytes)
        assert.ok(response.status < 300, `${filename}: ${response.body}`)
        const file = await confirm({ file_key: info.fileKey, size: bytes.length })
        assert.equal(file.json().sha256, sha(bytes), filename)
      }
    })
  })
}
