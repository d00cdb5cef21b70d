import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { streamFrom } from './body-stream.ts'
import { NetworkError } from './errors.ts'
import { nodeRequest } from './node-request.ts'

const MiB = 1024 * 1024
let server: Server
let base = ''

async function handle(req: IncomingMessage, res: ServerResponse) {
  const json = (status: number, value: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' })
    res.end(JSON.stringify(value))
  }
  if (req.url === '/echo') {
    const hash = createHash('sha256')
    let size = 0
    for await (const chunk of req) {
      hash.update(chunk)
      size += chunk.length
    }
    return json(200, { size, sha256: hash.digest('hex'), length: req.headers['content-length'] })
  }
  if (req.url === '/too-large') return json(413, { error: { code: 'too_large', message: 'No.' } })
  if (req.url === '/moved') {
    res.writeHead(307, { location: '/echo' })
    return res.end()
  }
  if (req.url === '/empty') {
    res.writeHead(204)
    return res.end()
  }
  res.writeHead(404)
  res.end()
}

before(async () => {
  server = createServer((req, res) => void handle(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => server.close())

async function* chunks(count: number, size = MiB): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < count; i++) yield randomBytes(size)
}

describe('nodeRequest (fetch through node:http)', () => {
  it('streams a body and answers a web Response', async () => {
    const parts: Uint8Array[] = []
    const source = (async function* () {
      for await (const chunk of chunks(5)) {
        parts.push(chunk)
        yield chunk
      }
    })()
    const headers = { 'content-length': String(5 * MiB) }
    const init = { method: 'POST', headers, body: streamFrom(source), duplex: 'half' as const }
    const response = await nodeRequest(`${base}/echo`, init, 'baseUrl')
    assert.equal(response.status, 200)
    assert.equal(response.url, `${base}/echo`)
    const echoed = (await response.json()) as { size: number; sha256: string; length: string }
    const sha256 = createHash('sha256').update(Buffer.concat(parts)).digest('hex')
    assert.deepEqual(echoed, { size: 5 * MiB, sha256, length: String(5 * MiB) })
  })

  it('gives a string body its length and answers 204 without a body', async () => {
    const response = await nodeRequest(`${base}/echo`, { method: 'POST', body: 'héllo' }, 'x')
    assert.deepEqual(await response.json(), {
      size: 6,
      sha256: createHash('sha256').update('héllo').digest('hex'),
      length: '6',
    })
    const empty = await nodeRequest(`${base}/empty`, {}, 'x')
    assert.equal(empty.status, 204)
    assert.equal(empty.body, null)
  })

  it('answers an error sent before the body was read, and stops sending', async () => {
    let sent = 0
    const source = (async function* () {
      for await (const chunk of chunks(64)) {
        sent += chunk.byteLength
        yield chunk
      }
    })()
    const init = { method: 'PUT', body: streamFrom(source), duplex: 'half' as const }
    const response = await nodeRequest(`${base}/too-large`, init, 'x')
    assert.equal(response.status, 413)
    assert.deepEqual(await response.json(), { error: { code: 'too_large', message: 'No.' } })
    assert.ok(sent < 64 * MiB, `sent ${sent} bytes`)
  })

  it('raises an error of the body source as itself', async () => {
    const failure = new Error('the disk went away')
    const source = (async function* () {
      yield new Uint8Array(10)
      throw failure
    })()
    const init = { method: 'PUT', body: streamFrom(source), duplex: 'half' as const }
    await assert.rejects(nodeRequest(`${base}/echo`, init, 'x'), (err) => err === failure)
  })

  it('follows a redirect without a body, and refuses one with a streamed body', async () => {
    const response = await nodeRequest(`${base}/moved`, { headers: { authorization: 'k' } }, 'x')
    assert.equal(response.url, `${base}/echo`)
    assert.equal(((await response.json()) as { size: number }).size, 0)
    const init = { method: 'PUT', body: streamFrom(chunks(1)), duplex: 'half' as const }
    await assert.rejects(
      nodeRequest(`${base}/moved`, init, 'x'),
      (err) => err instanceof NetworkError && /unexpected redirect/.test(err.message),
    )
  })

  it('maps a refused connection to NetworkError naming the setting', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await assert.rejects(
      nodeRequest(`http://127.0.0.1:${port}/v1/me`, {}, 'GRANARY_URL'),
      (err) => err instanceof NetworkError && /Check GRANARY_URL/.test(err.message),
    )
  })

  it('rejects with the reason of an aborted signal', async () => {
    const controller = new AbortController()
    const source = (async function* () {
      yield new Uint8Array(10)
      controller.abort()
      yield new Uint8Array(10)
    })()
    const init = { method: 'PUT', body: streamFrom(source), duplex: 'half' as const }
    await assert.rejects(nodeRequest(`${base}/echo`, { ...init, signal: controller.signal }, 'x'), {
      name: 'AbortError',
    })
  })
})
