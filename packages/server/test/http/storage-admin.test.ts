import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { startTestServer, type TestServer } from '../support/test-server.ts'

for (const backend of backendMatrix()) {
  describe(`storage check (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend)
    })
    after(() => server.close())
    const isS3 = backend.name.endsWith('+s3')

    test('reports the backend, its location and that it is reachable', async () => {
      const response = await server.request({ method: 'GET', url: '/v1/admin/storage' })
      assert.equal(response.statusCode, 200, response.body)
      const status = response.json()
      assert.equal(status.backend, isS3 ? 's3' : 'local')
      assert.equal(status.reachable, true)
      if (isS3) assert.match(status.location, /^s3:\/\//)
      else {
        assert.equal(status.location, server.dataDir)
        assert.equal(status.cors_origins, null)
        assert.deepEqual(status.problems, [])
      }
    })

    test('needs the admin scope', async () => {
      const key = await server.key(['files'], ['ws_default'])
      const response = await server.request({ method: 'GET', url: '/v1/admin/storage', as: key })
      assert.equal(response.statusCode, 403)
      assert.equal(response.json().error.code, 'insufficient_scope')
    })

    test('CORS origins: validated, set on S3, refused on the local backend', async () => {
      const bad = await server.request({
        method: 'PUT',
        url: '/v1/admin/storage/cors',
        json: { origins: ['lab.example.org/path'] },
      })
      assert.equal(bad.statusCode, 400)
      const response = await server.request({
        method: 'PUT',
        url: '/v1/admin/storage/cors',
        json: { origins: ['https://lab.example.org'] },
      })
      if (!isS3) {
        assert.equal(response.statusCode, 400)
        assert.match(response.json().error.message, /S3/)
        return
      }
      assert.equal(response.statusCode, 200, response.body)
      assert.deepEqual(response.json().cors_origins, ['https://lab.example.org'])
      assert.deepEqual(response.json().problems, [])
    })
  })
}
