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
