/** The TypeScript client against a real server process. */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { ApiError, Granary, NetworkError } from '@granary/client'
import { ADMIN_KEY, type ServerProcess, startServerProcess } from './support/server-process.ts'

const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const FORM_LIMIT = 2_000_000

describe('TypeScript client against a running server', () => {
  let server: ServerProcess
  let admin: Granary
  let client: Granary
  let work: string
  before(async () => {
    server = await startServerProcess({ GRANARY_MAX_UPLOAD_BYTES: String(FORM_LIMIT) })
    admin = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY })
    await admin.workspaces.create({ id: 'ws_abc123', name: 'Exome lab' })
    const key = await admin.keys.create({
      name: 'pipeline',
      scopes: ['files'],
      workspaceIds: ['ws_abc123'],
    })
    client = new Granary({ baseUrl: server.url, apiKey: key.secret, workspaceId: 'ws_abc123' })
    work = await mkdtemp(join(tmpdir(), 'granary-e2e-client-'))
  })
  after(async () => {
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })

  test('me() answers the key and the workspaces it may use', async () => {
    const me = await client.me()
    assert.equal(me.key.name, 'pipeline')
    assert.deepEqual(me.key.scopes, ['files'])
    assert.equal(me.key.expires_at, null)
    assert.deepEqual(me.workspaces, [{ id: 'ws_abc123', name: 'Exome lab' }])
    const all = await admin.me()
    assert.deepEqual(all.workspaces.map((w) => w.id).sort(), ['ws_abc123', 'ws_default'])
  })

  test('upload a path, a Blob and a stream; list; listAll', async () => {
    const local = join(work, 'sample.vcf')
    await writeFile(local, '##fileformat=VCFv4.2\n')
    const seen: number[] = []
    const fromPath = await client.files.upload(local, {
      path: 'raw/',
      onProgress: (p) => seen.push(p.loaded),
    })
    assert.equal(fromPath.key, 'raw/sample.vcf')
    assert.ok(seen.length > 0)
    await client.files.upload(new Blob(['blob bytes']), { path: 'raw/', filename: 'blob.txt' })
    await client.files.upload(Readable.from([Buffer.from('streamed')]), {
      path: 'raw/',
      filename: 'stream.txt',
    })
    const page = await client.files.list({ prefix: 'raw/' })
    assert.deepEqual(
      page.files.map((f) => f.key),
      ['raw/blob.txt', 'raw/sample.vcf', 'raw/stream.txt'],
    )
    const all: string[] = []
    for await (const file of client.files.listAll({ prefix: 'raw/', pageSize: 1 }))
      all.push(file.key)
    assert.deepEqual(all, ['raw/blob.txt', 'raw/sample.vcf', 'raw/stream.txt'])
  })

  test('download to a folder and as a stream; delete', async () => {
    const saved = await client.files.download('raw/sample.vcf', {
      dest: `${join(work, 'output')}/`,
    })
    assert.equal(saved, join(work, 'output', 'sample.vcf'))
    assert.equal(await readFile(saved, 'utf8'), '##fileformat=VCFv4.2\n')
    const stream = await client.files.downloadStream('raw/stream.txt')
    assert.equal(await new Response(stream.body).text(), 'streamed')
    await client.files.delete('raw/stream.txt')
    await assert.rejects(
      client.files.delete('raw/stream.txt'),
      (error) =>
        error instanceof ApiError && error.code === 'file_not_found' && error.status === 404,
    )
  })

  test('uploadFile takes the large-file flow above its threshold', async () => {
    const bytes = randomBytes(3_000_000)
    const local = join(work, 'reads.fq')
    await writeFile(local, bytes)
    const file = await client.files.uploadFile(local, { path: 'fastq/', largeThreshold: 1_000_000 })
    assert.equal(file.key, 'fastq/reads.fq')
    assert.equal(file.sha256, sha(bytes))
    const saved = await client.files.download(file.key, { dest: join(work, 'reads-copy.fq') })
    assert.deepEqual(await readFile(saved), bytes)
  })

  test('a form upload over the limit is 413 upload_too_large pointing at the large-file flow, and nothing is stored', async () => {
    const local = join(work, 'too-big.bin')
    await writeFile(local, randomBytes(FORM_LIMIT + 1))
    await assert.rejects(client.files.upload(local, { path: 'big/' }), (error) => {
      assert.ok(error instanceof ApiError)
      assert.equal(error.status, 413)
      assert.equal(error.code, 'upload_too_large')
      assert.match(error.message, /upload-url/)
      assert.ok(error.requestId)
      return true
    })
    assert.deepEqual((await client.files.list({ prefix: 'big/' })).files, [])
    assert.deepEqual(await readdir(join(server.dataDir, 'tmp')), [])
    assert.ok(
      !(await readdir(join(server.dataDir, 'blobs', 'ws_abc123'))).some((v) =>
        v.includes('too-big'),
      ),
    )
    assert.equal((await client.health()).status, 'ok')
  })

  test('errors carry the server codes; another workspace looks missing; a dead server is a NetworkError', async () => {
    await assert.rejects(
      client.files.list({ workspaceId: 'ws_default' }),
      (error) => error instanceof ApiError && error.code === 'workspace_not_found',
    )
    const anonymous = new Granary({ baseUrl: server.url, apiKey: 'gr_wrong' })
    await assert.rejects(
      anonymous.files.list({ workspaceId: 'ws_abc123' }),
      (error) =>
        error instanceof ApiError && error.status === 401 && error.code === 'unauthenticated',
    )
    const nowhere = new Granary({ baseUrl: 'http://127.0.0.1:9', apiKey: ADMIN_KEY })
    await assert.rejects(
      nowhere.files.list({ workspaceId: 'ws_abc123' }),
      (error) => error instanceof NetworkError,
    )
  })
})
