import assert from 'node:assert/strict'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gunzipSync } from 'node:zlib'
import Fastify, { type FastifyInstance } from 'fastify'
import { installErrorHandling } from './error-handler.ts'
import { webAssetRoutes } from './web-assets.ts'

describe('web UI assets', () => {
  let dir: string
  let app: FastifyInstance
  const script = `console.log(${JSON.stringify('x'.repeat(4000))})`

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'granary-web-'))
    await mkdir(join(dir, 'assets'))
    await writeFile(
      join(dir, 'index.html'),
      '<!doctype html><script type="module" src="/assets/app-AB12.js"></script>',
    )
    await writeFile(join(dir, 'assets', 'app-AB12.js'), script)
    await writeFile(join(dir, 'viewer.html'), '<!doctype html><title>viewer</title>')
    app = Fastify({ logger: false })
    installErrorHandling(app)
    const served = await webAssetRoutes(app, {
      dir,
      connectOrigins: ['http://127.0.0.1:8080', 'http://s3.local:9000'],
    })
    assert.equal(served, true)
  })
  after(async () => {
    await app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('answers index.html at / with no-cache and a strict CSP', async () => {
    const res = await app.inject({ method: 'GET', url: '/' })
    assert.equal(res.statusCode, 200)
    assert.match(res.headers['content-type'] as string, /^text\/html/)
    assert.equal(res.headers['cache-control'], 'no-cache')
    const csp = String(res.headers['content-security-policy'])
    assert.match(csp, /script-src 'self'(;|$)/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.match(csp, /connect-src 'self' http:\/\/127\.0\.0\.1:8080 http:\/\/s3\.local:9000/)
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    assert.equal(res.headers['x-frame-options'], 'DENY')
  })

  it("answers the genome viewer's page with its own CSP: inline styles, never inline scripts", async () => {
    const res = await app.inject({ method: 'GET', url: '/viewer.html' })
    assert.equal(res.statusCode, 200)
    assert.equal(res.body, '<!doctype html><title>viewer</title>')
    const csp = String(res.headers['content-security-policy'])
    assert.match(csp, /style-src 'self' 'unsafe-inline'(;|$)/)
    assert.match(csp, /script-src 'self'(;|$)/)
    assert.match(csp, /connect-src 'self' blob: http:\/\/127\.0\.0\.1:8080 http:\/\/s3\.local:9000/)
    assert.doesNotMatch(csp, /unsafe-eval/)
    assert.equal(res.headers['x-frame-options'], 'DENY')
    const main = String(
      (await app.inject({ method: 'GET', url: '/' })).headers['content-security-policy'],
    )
    assert.match(main, /style-src 'self'(;|$)/)
  })

  it('serves hashed assets as immutable for a year, gzipped when asked', async () => {
    const plain = await app.inject({ method: 'GET', url: '/assets/app-AB12.js' })
    assert.equal(plain.statusCode, 200)
    assert.equal(plain.body, script)
    assert.equal(plain.headers['cache-control'], 'public, max-age=31536000, immutable')
    assert.match(plain.headers['content-type'] as string, /^text\/javascript/)
    const zipped = await app.inject({
      method: 'GET',
      url: '/assets/app-AB12.js',
      headers: { 'accept-encoding': 'gzip, br' },
    })
    assert.equal(zipped.headers['content-encoding'], 'gzip')
    assert.equal(gunzipSync(zipped.rawPayload).toString(), script)
  })

  it('answers a JSON 404 for an asset that is not there', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/app-OLD.js' })
    assert.equal(res.statusCode, 404)
    assert.equal(res.json().error.code, 'route_not_found')
  })

  it('registers nothing when the folder holds no UI', async () => {
    const empty = Fastify({ logger: false })
    assert.equal(
      await webAssetRoutes(empty, { dir: join(dir, 'missing'), connectOrigins: [] }),
      false,
    )
    assert.equal((await empty.inject({ method: 'GET', url: '/' })).statusCode, 404)
    await empty.close()
  })
})
