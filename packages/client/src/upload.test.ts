import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { dispositionParam, fakeFetch, fileInfo, json, parseMultipart } from '../test/fake-fetch.ts'
import type { Progress } from './file-options.ts'
import { Granary } from './granary.ts'

const baseUrl = 'http://granary.test'
let dir = ''
let samplePath = ''
const sample = Buffer.from('##fileformat=VCFv4.2\nchr1\t100\t.\tA\tG\n')

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'granary-upload-'))
  samplePath = join(dir, 'sample.vcf')
  await writeFile(samplePath, sample)
})
after(() => rm(dir, { recursive: true, force: true }))

function uploadServer() {
  return fakeFetch((req) => {
    const parts = parseMultipart(req.body, req.headers.get('content-type') ?? '')
    const file = parts.find((p) => dispositionParam(p, 'name') === 'file')
    return json(
      {
        ...fileInfo(`raw/${dispositionParam(file as never, 'filename')}`),
        size: file?.body.length,
      },
      201,
    )
  })
}

describe('files.upload', () => {
  it('streams a local file as multipart with an exact Content-Length and fields first', async () => {
    const fetch = uploadServer()
    const client = new Granary({ baseUrl, fetch })
    const progress: Progress[] = []
    const file = await client.files.upload(samplePath, {
      workspaceId: 'ws_a',
      path: 'raw/',
      description: 'the sample',
      overwrite: false,
      onProgress: (p) => progress.push(p),
    })
    assert.equal(file.key, 'raw/sample.vcf')
    const [request] = fetch.requests
    assert.equal(request?.url.pathname, '/v1/files/upload')
    assert.equal(request?.headers.get('content-length'), String(request?.body.byteLength))
    const parts = parseMultipart(
      request?.body ?? new Uint8Array(),
      request?.headers.get('content-type') ?? '',
    )
    assert.deepEqual(
      parts.map((p) => [dispositionParam(p, 'name'), p.body.toString()]),
      [
        ['workspace_id', 'ws_a'],
        ['path', 'raw/'],
        ['description', 'the sample'],
        ['overwrite', 'false'],
        ['file', sample.toString()],
      ],
    )
    assert.equal(parts[4]?.headers['content-type'], 'application/octet-stream')
    assert.deepEqual(progress.at(-1), { loaded: sample.length, total: sample.length })
  })

  it('refuses redirects for streamed bodies, so undici keeps no replay copy (undici#4058)', async () => {
    const fetch = uploadServer()
    await new Granary({ baseUrl, fetch }).files.upload(samplePath, { workspaceId: 'ws_a' })
    assert.equal(fetch.requests[0]?.redirect, 'error')
  })

  it('takes a File: its name, type and size', async () => {
    const fetch = uploadServer()
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    await client.files.upload(new File(['abc'], 'notes.txt', { type: 'text/plain' }))
    const request = fetch.requests[0]
    const [, file] = parseMultipart(
      request?.body ?? new Uint8Array(),
      request?.headers.get('content-type') ?? '',
    )
    assert.equal(dispositionParam(file as never, 'filename'), 'notes.txt')
    assert.equal(file?.headers['content-type'], 'text/plain')
    assert.equal(file?.body.toString(), 'abc')
    assert.ok(request?.headers.get('content-length'))
  })

  it('takes a Node Readable with a filename, sent without Content-Length', async () => {
    const fetch = uploadServer()
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    const progress: Progress[] = []
    const stream = Readable.from([Buffer.from('ab'), Buffer.from('cd')])
    await client.files.upload(stream, { filename: 'x.bin', onProgress: (p) => progress.push(p) })
    assert.equal(fetch.requests[0]?.headers.get('content-length'), null)
    assert.deepEqual(progress, [
      { loaded: 2, total: undefined },
      { loaded: 4, total: undefined },
    ])
  })

  it('sends a Blob as a Blob body when streams are off (browsers), same bytes on the wire', async () => {
    const fetch = uploadServer()
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a', streamUploads: false })
    const progress: Progress[] = []
    const blob = new File(['abc'], 'b.txt', { type: 'text/plain' })
    await client.files.upload(blob, { path: 'raw/', onProgress: (p) => progress.push(p) })
    const request = fetch.requests[0]
    const parts = parseMultipart(
      request?.body ?? new Uint8Array(),
      request?.headers.get('content-type') ?? '',
    )
    assert.deepEqual(
      parts.map((p) => [dispositionParam(p, 'name'), p.body.toString()]),
      [
        ['workspace_id', 'ws_a'],
        ['path', 'raw/'],
        ['file', 'abc'],
      ],
    )
    assert.equal(request?.redirect, undefined)
    assert.deepEqual(progress, [{ loaded: 3, total: 3 }])
  })

  it('needs a filename for a stream', async () => {
    const client = new Granary({ baseUrl, fetch: uploadServer(), workspaceId: 'ws_a' })
    await assert.rejects(client.files.upload(Readable.from([])), /filename.*required/)
  })

  it('reports a source that yields fewer bytes than its size as itself', async () => {
    const fetch = fakeFetch(() => json({}, 201))
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    const lying = new Blob(['abcdef'])
    Object.defineProperty(lying, 'size', { value: 10 })
    await assert.rejects(client.files.upload(lying, { filename: 'x' }), /expected 10 bytes, got 6/)
  })

  it('rejects a folder', async () => {
    const client = new Granary({ baseUrl, fetch: uploadServer(), workspaceId: 'ws_a' })
    await assert.rejects(client.files.upload(dir), /Not a regular file/)
  })
})

describe('files.uploadFile', () => {
  it('uses the form upload below the threshold', async () => {
    const fetch = uploadServer()
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    await client.files.uploadFile(samplePath, { largeThreshold: sample.length + 1 })
    assert.deepEqual(
      fetch.requests.map((r) => r.url.pathname),
      ['/v1/files/upload'],
    )
  })

  it('uses upload-url, PUT with exactly the given headers, then confirm with the SHA-256', async () => {
    const upload = {
      uploadUrl: 'http://blobs.test/v1/uploads/up_1/content?signature=s',
      fileKey: 'raw/sample.vcf',
      uploadId: 'up_1',
      expiresAt: 'T',
      method: 'PUT',
      headers: { 'Content-Type': 'text/x-vcf' },
    }
    const fetch = fakeFetch((req) => {
      if (req.url.pathname === '/v1/files/upload-url') return json(upload, 201)
      if (req.method === 'PUT') return new Response(null, { status: 204 })
      return json(fileInfo('raw/sample.vcf', sample.length))
    })
    const client = new Granary({ baseUrl, apiKey: 'gk_a', fetch, workspaceId: 'ws_a' })
    const progress: Progress[] = []
    const file = await client.files.uploadFile(samplePath, {
      path: 'raw/',
      largeThreshold: sample.length,
      onProgress: (p) => progress.push(p),
    })
    assert.equal(file.key, 'raw/sample.vcf')
    const [urlRequest, put, confirm] = fetch.requests
    assert.deepEqual(JSON.parse(Buffer.from(urlRequest?.body ?? []).toString()), {
      filename: 'sample.vcf',
      workspace_id: 'ws_a',
      size: sample.length,
      path: 'raw/',
    })
    assert.equal(put?.method, 'PUT')
    assert.equal(put?.url.toString(), upload.uploadUrl)
    assert.deepEqual([...(put?.headers ?? [])].sort(), [
      ['content-length', String(sample.length)],
      ['content-type', 'text/x-vcf'],
    ])
    assert.deepEqual(Buffer.from(put?.body ?? []), sample)
    assert.equal(put?.redirect, 'error')
    assert.deepEqual(JSON.parse(Buffer.from(confirm?.body ?? []).toString()), {
      file_key: 'raw/sample.vcf',
      workspace_id: 'ws_a',
      filename: 'sample.vcf',
      size: sample.length,
      upload_id: 'up_1',
      sha256: createHash('sha256').update(sample).digest('hex'),
    })
    assert.deepEqual(progress.at(-1), { loaded: sample.length, total: sample.length })
  })

  it('stops before confirm when the PUT fails', async () => {
    const fetch = fakeFetch((req) => {
      if (req.url.pathname === '/v1/files/upload-url') {
        return json(
          { uploadUrl: 'http://blobs.test/u', fileKey: 'k', uploadId: 'u', headers: {} },
          201,
        )
      }
      return json({ error: { code: 'invalid_signature', message: 'Bad signature.' } }, 403)
    })
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    await assert.rejects(client.files.uploadFile(samplePath, { largeThreshold: 1 }), {
      code: 'invalid_signature',
    })
    assert.equal(fetch.requests.length, 2)
  })
})
