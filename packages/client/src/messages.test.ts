/** What the client says when the URL or the server is wrong, against real local sockets. */
import assert from 'node:assert/strict'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { ApiError, NetworkError } from './errors.ts'
import { Granary } from './granary.ts'

function listen(server: Server): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  )
}

describe('messages that say what to do', () => {
  let html: Server
  let htmlPort = 0
  let closedPort = 0
  before(async () => {
    html = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/html' }).end('<html>Welcome to nginx</html>')
    })
    htmlPort = await listen(html)
    const probe = createServer()
    closedPort = await listen(probe)
    await new Promise((resolve) => probe.close(resolve))
  })
  after(() => new Promise((resolve) => html.close(resolve)))

  it('a URL without a scheme names its setting and suggests http://', () => {
    assert.throws(() => new Granary({ baseUrl: 'localhost:8080' }), {
      message:
        /baseUrl is 'localhost:8080', which is not an http\(s\) URL: .*http:\/\/localhost:8080/,
    })
  })

  it('connection refused: start the server or check GRANARY_URL', async () => {
    const client = new Granary({
      baseUrl: `http://127.0.0.1:${closedPort}`,
      urlSetting: 'GRANARY_URL',
    })
    const err = await client.health().catch((e: unknown) => e)
    assert.ok(err instanceof NetworkError)
    assert.match(
      err.message,
      /ECONNREFUSED.*Is the Granary server running \(granary serve\)\? Check GRANARY_URL\./,
    )
  })

  it('https:// against a plain-HTTP server says so', async () => {
    const client = new Granary({ baseUrl: `https://127.0.0.1:${htmlPort}` })
    const err = await client.health().catch((e: unknown) => e)
    assert.ok(err instanceof NetworkError)
    assert.match(err.message, /plain HTTP, not HTTPS; use an http:\/\/ URL in baseUrl/)
  })

  it('an HTML answer from another server: the URL does not point at Granary', async () => {
    const client = new Granary({ baseUrl: `http://127.0.0.1:${htmlPort}`, apiKey: 'gr_x' })
    const err = await client.me().catch((e: unknown) => e)
    assert.ok(err instanceof ApiError)
    assert.match(
      err.message,
      /with an HTML page, not Granary's JSON: baseUrl does not point at a Granary server/,
    )
  })
})
