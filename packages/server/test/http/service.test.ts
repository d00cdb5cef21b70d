/** The service routes: version in /healthz and /openapi.json. */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { GRANARY_VERSION } from '@granary/protocol'
import { backendMatrix } from '../support/backends.ts'
import { startTestServer, type TestServer } from '../support/test-server.ts'

const [backend] = backendMatrix()

describe('service routes', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer(backend ?? { name: 'sqlite+local', env: {} })
  })
  after(() => server.close())

  test("/healthz answers the server's version", async () => {
    const response = await server.request({ method: 'GET', url: '/healthz', as: null })
    assert.equal(response.statusCode, 200)
    assert.deepEqual(response.json(), { status: 'ok', version: GRANARY_VERSION })
  })

  test('/openapi.json carries the same version', async () => {
    const response = await server.request({ method: 'GET', url: '/openapi.json', as: null })
    const doc = response.json() as { info: { title: string; version: string } }
    assert.equal(doc.info.version, GRANARY_VERSION)
    assert.equal(doc.info.title, 'Granary')
  })
})

describe('/docs and /openapi.json', () => {
  let server: TestServer
  before(async () => {
    server = await startTestServer(backend ?? { name: 'sqlite+local', env: {} })
  })
  after(() => server.close())

  const get = (url: string) => server.request({ method: 'GET', url, as: null })

  test('every route has a summary; the upload form points to the large-file flow', async () => {
    const doc = (await get('/openapi.json')).json() as {
      paths: Record<string, Record<string, { summary?: string }>>
    }
    const missing: string[] = []
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        if (!operation.summary?.trim()) missing.push(`${method.toUpperCase()} ${path}`)
      }
    }
    assert.deepEqual(missing, [])
    const upload = doc.paths['/v1/files/upload']?.post?.summary ?? ''
    assert.match(upload, /500 MB/)
    assert.match(upload, /\/v1\/files\/upload-url/)
  })

  test('/docs is branded Granary and loads nothing from another host', async () => {
    const page = await get('/docs/')
    assert.equal(page.statusCode, 200)
    assert.match(page.body, /<title>Granary API<\/title>/)
    assert.doesNotMatch(page.body, /Swagger UI<\/title>|fastify/i)
    const initializer = (await get('/docs/static/swagger-initializer.js')).body
    assert.match(initializer, /"validatorUrl":\s*null/)
    assert.match(initializer, /data:image\/svg\+xml;base64,/)
    // Every script and stylesheet the page names is served by Granary itself.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? '')
    assert.ok(assets.length >= 4, assets.join(' '))
    for (const asset of assets) {
      assert.doesNotMatch(asset, /^(?:https?:)?\/\//, asset)
      const url = new URL(asset, 'http://granary.test/docs/')
      assert.equal((await get(url.pathname)).statusCode, 200, url.pathname)
    }
  })

  test('JSON answers end with a newline; other bodies are untouched', async () => {
    for (const url of ['/healthz', '/openapi.json', '/v1/nothing-here', '/v1/files']) {
      const response = await get(url)
      assert.match(String(response.headers['content-type']), /json/, url)
      assert.ok(response.body.endsWith('}\n'), `${url}: ${JSON.stringify(response.body.slice(-5))}`)
      assert.equal(Number(response.headers['content-length']), Buffer.byteLength(response.body))
      JSON.parse(response.body)
    }
    const script = await get('/docs/static/swagger-initializer.js')
    assert.match(String(script.headers['content-type']), /javascript/)
  })
})

describe('starting on a taken port', () => {
  test('names PORT and how to pick another, exit status 1', async () => {
    const { createServer } = await import('node:net')
    const { mkdtemp, rm } = await import('node:fs/promises')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { runServer } = await import('../../src/server.ts')
    const taken = createServer()
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve))
    const port = (taken.address() as { port: number }).port
    const dataDir = await mkdtemp(join(tmpdir(), 'granary-port-'))
    const written: string[] = []
    const write = process.stderr.write.bind(process.stderr)
    process.stderr.write = ((chunk: string) => written.push(String(chunk)) > 0) as typeof write
    try {
      await runServer({
        PORT: String(port),
        GRANARY_DATA_DIR: dataDir,
        GRANARY_LOG_LEVEL: 'silent',
        GRANARY_REAPER_INTERVAL_S: '0',
      })
    } finally {
      process.stderr.write = write
      taken.close()
      await rm(dataDir, { recursive: true, force: true })
    }
    assert.equal(process.exitCode, 1)
    process.exitCode = 0
    assert.match(
      written.join(''),
      new RegExp(`^granary: port ${port} on 127\\.0\\.0\\.1 is already in use .*PORT`),
    )
  })
})
