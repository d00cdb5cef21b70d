import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { dispositionParam, parseMultipart } from '../test/fake-fetch.ts'
import { readChunks } from './body-stream.ts'
import { filenameParams, multipartBody } from './multipart.ts'

const bytes = (text: string) => new TextEncoder().encode(text)

async function collect(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = []
  for await (const chunk of readChunks(stream)) parts.push(chunk)
  return Buffer.concat(parts)
}

async function* chunksOf(...texts: string[]): AsyncGenerator<Uint8Array> {
  for (const text of texts) yield bytes(text)
}

describe('multipartBody', () => {
  it('puts the text fields first, in order, then the file part', async () => {
    const fields = [
      ['workspace_id', 'ws_abc123'],
      ['path', 'raw/'],
    ] as const
    const body = multipartBody(fields, {
      name: 'file',
      filename: 'sample.vcf',
      contentType: 'text/x-vcf',
      size: 11,
      chunks: chunksOf('hello ', 'world'),
    })
    const raw = await collect(body.stream)
    const parts = parseMultipart(raw, body.contentType)
    assert.deepEqual(
      parts.map((p) => dispositionParam(p, 'name')),
      ['workspace_id', 'path', 'file'],
    )
    assert.equal(parts[0]?.body.toString(), 'ws_abc123')
    assert.equal(parts[1]?.body.toString(), 'raw/')
    assert.equal(dispositionParam(parts[2] as never, 'filename'), 'sample.vcf')
    assert.equal(parts[2]?.headers['content-type'], 'text/x-vcf')
    assert.equal(parts[2]?.body.toString(), 'hello world')
    assert.equal(body.length, raw.byteLength, 'Content-Length must be exact')
  })

  it('has no length when the file size is unknown', () => {
    const file = {
      name: 'file',
      filename: 'a',
      contentType: 'x/y',
      size: undefined,
      chunks: chunksOf(),
    }
    assert.equal(multipartBody([], file).length, undefined)
  })

  it('keeps binary bytes intact', async () => {
    const payload = Uint8Array.from({ length: 256 }, (_, i) => i)
    async function* one() {
      yield payload
    }
    const file = {
      name: 'file',
      filename: 'b.bin',
      contentType: 'application/octet-stream',
      size: 256,
      chunks: one(),
    }
    const body = multipartBody([], file)
    const [part] = parseMultipart(await collect(body.stream), body.contentType)
    assert.deepEqual(new Uint8Array(part?.body ?? []), payload)
  })

  it('reads the source only as the body is pulled', async () => {
    let pulled = 0
    async function* counting() {
      for (let i = 0; i < 3; i++) {
        pulled++
        yield bytes('x')
      }
    }
    const file = { name: 'file', filename: 'a', contentType: 'x/y', size: 3, chunks: counting() }
    const reader = multipartBody([], file).stream.getReader()
    await new Promise((resolve) => setTimeout(resolve, 10))
    assert.equal(pulled, 0)
    await reader.read() // the head
    await reader.read() // first file chunk
    assert.equal(pulled, 1)
    await reader.cancel()
  })
})

describe('filenameParams', () => {
  it('escapes quotes and newlines the way browsers do', () => {
    assert.equal(filenameParams('a"b\r\n.txt'), 'filename="a%22b%0D%0A.txt"')
  })

  it('adds an RFC 5987 filename* for non-ASCII names', () => {
    assert.equal(
      filenameParams('résumé (1).txt'),
      `filename="résumé (1).txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.txt`,
    )
  })
})
