import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { type AddressInfo, createServer, type Server, type Socket } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { NetworkError } from './errors.ts'
import { rawRangeGet } from './raw-range.ts'

const MiB = 1024 * 1024
const body = randomBytes(3 * MiB + 517)
let server: Server
let base = ''
const requests: string[] = []

/** What the server answers, by path; each gets the socket after the request head. */
const answers: Record<string, (socket: Socket) => void> = {
  '/whole': (socket) => {
    socket.write(head(206, { 'content-length': body.length, etag: '"v1"' }))
    // The body in uneven writes, the first with the head's tail.
    let at = 0
    const next = () => {
      if (at >= body.length) return socket.end()
      const size = Math.min(body.length - at, 1 + Math.floor(Math.random() * 300_000))
      socket.write(body.subarray(at, at + size), next)
      at += size
    }
    next()
  },
  '/split-head': (socket) => {
    const text = head(206, { 'content-length': 10 })
    socket.write(text.slice(0, 7))
    setTimeout(
      () => socket.end(Buffer.concat([Buffer.from(text.slice(7)), body.subarray(0, 10)])),
      20,
    )
  },
  '/cut': (socket) => {
    socket.write(head(206, { 'content-length': MiB }))
    socket.end(body.subarray(0, 1000))
  },
  '/stall': (socket) => {
    socket.write(head(206, { 'content-length': MiB }))
    socket.write(body.subarray(0, 1000))
  },
  '/whole-200': (socket) => socket.end(`${head(200, { 'content-length': 3 })}abc`),
  '/busy': (socket) => socket.end(head(503, { 'content-length': 0, 'retry-after': 1 })),
  '/chunked': (socket) => socket.end(`${head(206, { 'transfer-encoding': 'chunked' })}0\r\n\r\n`),
}

function head(status: number, headers: Record<string, string | number>): string {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`)
  return [`HTTP/1.1 ${status} X`, ...lines, '', ''].join('\r\n')
}

before(async () => {
  server = createServer((socket) => {
    let text = ''
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1')
      if (!text.includes('\r\n\r\n')) return
      requests.push(text)
      const path = /^GET (\S+)/.exec(text)?.[1] ?? ''
      answers[path]?.(socket)
    })
    socket.on('error', () => {})
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(() => server.close())

const get = (path: string, signal?: AbortSignal) =>
  rawRangeGet(new URL(path, base), { range: 'bytes=5-9' }, signal, 'baseUrl')

describe('rawRangeGet (one Range GET over a socket)', () => {
  it('hands over the body byte-exact in chunks of at most 1 MiB, pausing for the reader', async () => {
    const response = await get('/whole')
    assert.ok(response)
    assert.equal(response.status, 206)
    assert.equal(response.headers.get('etag'), '"v1"')
    const chunks: Uint8Array[] = []
    const handed = new Set<ArrayBufferLike>()
    await response.each((chunk) => {
      chunks.push(Buffer.from(chunk))
      handed.add(chunk.buffer)
      // Written: its memory goes back for the next chunks.
      response.release?.([chunk])
      // A slow disk every other chunk.
      return chunks.length % 2 ? new Promise((resolve) => setTimeout(resolve, 15)) : undefined
    })
    assert.ok(handed.size < chunks.length, 'released chunks are reused')
    assert.ok(Buffer.concat(chunks).equals(body))
    assert.ok(chunks.every((c) => c.byteLength <= MiB))
    assert.match(requests.at(-1) ?? '', /^GET \/whole HTTP\/1\.1\r\n.*range: bytes=5-9\r\n/is)
  })

  it('reads a head that arrives in pieces', async () => {
    const response = await get('/split-head')
    const chunks: Uint8Array[] = []
    await response?.each((chunk) => {
      chunks.push(Buffer.from(chunk))
      return undefined
    })
    assert.ok(Buffer.concat(chunks).equals(body.subarray(0, 10)))
  })

  it('leaves every answer but a plain 206 to node:http', async () => {
    assert.equal(await get('/whole-200'), undefined)
    assert.equal(await get('/busy'), undefined)
    assert.equal(await get('/chunked'), undefined)
  })

  it('fails a body cut short with NetworkError', async () => {
    const response = await get('/cut')
    await assert.rejects(
      response?.each(() => undefined) ?? Promise.resolve(),
      (err: unknown) =>
        err instanceof NetworkError && /closed before the body ended/.test(err.message),
    )
  })

  it('stops on abort with the signal reason', async () => {
    const controller = new AbortController()
    const response = await get('/stall', controller.signal)
    const reading = response?.each(() => undefined)
    setTimeout(() => controller.abort(), 20)
    await assert.rejects(reading ?? Promise.resolve(), { name: 'AbortError' })
  })

  it('raises a rejected write and stops reading', async () => {
    const response = await get('/whole')
    await assert.rejects(
      response?.each(() => Promise.reject(new Error('disk full'))) ?? Promise.resolve(),
      /disk full/,
    )
  })

  it('maps a refused connection to NetworkError', async () => {
    const closed = createServer()
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve))
    const port = (closed.address() as AddressInfo).port
    await new Promise((resolve) => closed.close(resolve))
    await assert.rejects(
      rawRangeGet(new URL(`http://127.0.0.1:${port}/x`), {}, undefined, 'baseUrl'),
      (err: unknown) => err instanceof NetworkError && /ECONNREFUSED|refused/i.test(err.message),
    )
  })
})
