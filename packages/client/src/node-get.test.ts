import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { ApiError } from './errors.ts'
import { Granary } from './granary.ts'

const MiB = 1024 * 1024
const blob = randomBytes(3 * MiB + 123)
let dir = ''
let server: Server
let base = ''
/** Every request the server saw: path and Range header. */
const seen: Array<{ path: string; range: string | undefined; auth: string | undefined }> = []

/** A Granary-like server: the download call answers a link that 307-redirects to the bytes. */
function handle(req: IncomingMessage, res: ServerResponse) {
  const url = new URL(req.url ?? '/', base)
  seen.push({ path: url.pathname, range: req.headers.range, auth: req.headers.authorization })
  if (url.pathname === '/v1/files/download') {
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ url: `/v1/links/${url.searchParams.get('key')}`, expires_at: 'T' }))
  } else if (url.pathname === '/v1/links/a/gone.bin') {
    res.statusCode = 404
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ error: { code: 'not_found', message: 'No such file.' } }))
  } else if (url.pathname.startsWith('/v1/links/')) {
    res.statusCode = 307
    res.setHeader('location', `${base}/object?sig=1`)
    res.end()
  } else {
    serveRange(req, res)
  }
}

/** The one Range request answered as if the file had changed in between (etag "v2"). */
let changedOnce: string | undefined

function serveRange(req: IncomingMessage, res: ServerResponse) {
  const changed = changedOnce !== undefined && req.headers.range === changedOnce
  if (changed) changedOnce = undefined
  res.setHeader('etag', changed ? '"v2"' : '"v1"')
  const match = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '')
  if (!match) return res.end(blob)
  const start = Number(match[1])
  const end = match[2] ? Number(match[2]) + 1 : blob.length
  res.statusCode = 206
  res.setHeader('content-range', `bytes ${start}-${end - 1}/${blob.length}`)
  res.end(blob.subarray(start, end))
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'granary-node-get-'))
  server = createServer(handle)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
after(async () => {
  server.close()
  await rm(dir, { recursive: true, force: true })
})

/** Runs `call` with global fetch wrapped, answering the URLs fetch was asked for. */
async function fetchedDuring(call: () => Promise<unknown>): Promise<string[]> {
  const original = globalThis.fetch
  const urls: string[] = []
  globalThis.fetch = (input, init) => {
    urls.push(String(input instanceof Request ? input.url : input))
    return original(input, init)
  }
  try {
    await call()
  } finally {
    globalThis.fetch = original
  }
  return urls
}

describe('downloads through node:http (Node, no injected fetch)', () => {
  const client = () => new Granary({ baseUrl: base, apiKey: 'gk_secret', workspaceId: 'ws_a' })

  it('never calls fetch: the API call and the bytes come through node:http, across a 307', async () => {
    seen.length = 0
    const dest = join(dir, 'whole.bin')
    const urls = await fetchedDuring(() => client().files.download('a/whole.bin', { dest }))
    assert.deepEqual(urls, [])
    assert.ok(seen.some((r) => r.path === '/v1/files/download' && r.auth === 'Bearer gk_secret'))
    assert.ok(seen.some((r) => r.path === '/v1/links/a/whole.bin'))
    assert.ok(seen.some((r) => r.path === '/object'))
    assert.ok(blob.equals(await readFile(dest)))
  })

  it('resumes a ranged download from the ranges already on disk, through the redirect', async () => {
    const dest = join(dir, 'ranged.bin')
    const partial = `${dest}.granary-partial`
    // A previous run wrote range 0 (of 1 MiB ranges) and recorded it.
    const half = Buffer.alloc(blob.length)
    blob.copy(half, 0, 0, MiB)
    await writeFile(partial, half)
    const sidecar = { size: blob.length, etag: '"v1"', range_size: MiB, done: [0] }
    await writeFile(`${partial}.json`, JSON.stringify(sidecar))
    seen.length = 0
    const loaded: number[] = []
    await client().files.download('a/ranged.bin', {
      dest,
      parallelThreshold: MiB,
      rangeSize: MiB,
      onProgress: (p) => loaded.push(p.loaded),
    })
    assert.ok(blob.equals(await readFile(dest)))
    const ranges = seen.filter((r) => r.path === '/object').map((r) => r.range)
    assert.ok(!ranges.includes('bytes=0-1048575'), `range 0 fetched again: ${ranges}`)
    assert.ok(ranges.includes(`bytes=${MiB}-${2 * MiB - 1}`))
    assert.ok(seen.every((r) => r.path !== '/object' || r.auth === undefined))
    assert.equal(loaded.at(-1), blob.length)
    await assert.rejects(stat(partial), { code: 'ENOENT' })
  })

  it('keeps the ranges finished before a failure, and the next run fetches only the rest', async () => {
    const dest = join(dir, 'failed.bin')
    const options = { dest, parallelThreshold: MiB, rangeSize: MiB, connections: 1 }
    const third = `bytes=${2 * MiB}-${3 * MiB - 1}`
    changedOnce = third
    await assert.rejects(client().files.download('a/failed.bin', options), /changed on the server/)
    const sidecar = JSON.parse(await readFile(`${dest}.granary-partial.json`, 'utf8'))
    assert.deepEqual(sidecar.done, [0, 1])
    seen.length = 0
    await client().files.download('a/failed.bin', options)
    assert.ok(blob.equals(await readFile(dest)))
    const ranges = seen.filter((r) => r.path === '/object').map((r) => r.range)
    assert.deepEqual(ranges, ['bytes=0-', third, `bytes=${3 * MiB}-${blob.length - 1}`])
  })

  it("maps an error answer to ApiError with the server's code", async () => {
    await assert.rejects(
      client().files.download('a/gone.bin', { dest: join(dir, 'gone.bin') }),
      (err: unknown) => err instanceof ApiError && err.status === 404 && err.code === 'not_found',
    )
  })

  it('stops on an aborted signal', async () => {
    const controller = new AbortController()
    controller.abort()
    await assert.rejects(
      client().files.download('a/aborted.bin', {
        dest: join(dir, 'aborted.bin'),
        signal: controller.signal,
      }),
      { name: 'AbortError' },
    )
  })
})
