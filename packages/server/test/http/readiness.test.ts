/**
 * /readyz knows when the disk is full (issue #11): below GRANARY_MIN_FREE_BYTES of free space in
 * the data folder (where SQLite and local blobs live) it answers 503 with the reason. The floor is
 * set above the disk's real free space, which is what "full" means to the check.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { startTestServer, type TestServer } from '../support/test-server.ts'

const ABOVE_ANY_DISK = String(Number.MAX_SAFE_INTEGER)

for (const backend of backendMatrix()) {
  const usesDataFolder = !backend.name.startsWith('postgres+') || !backend.name.endsWith('+s3')

  describe(`/readyz and free space (${backend.name})`, () => {
    let full: TestServer
    let roomy: TestServer
    before(async () => {
      full = await startTestServer(backend, { GRANARY_MIN_FREE_BYTES: ABOVE_ANY_DISK })
      roomy = await startTestServer(backend, { GRANARY_MIN_FREE_BYTES: '1' })
    })
    after(async () => {
      await full.close()
      await roomy.close()
    })

    test('enough free space → 200 ready', async () => {
      const response = await roomy.request({ method: 'GET', url: '/readyz', as: null })
      assert.equal(response.statusCode, 200, response.body)
      assert.deepEqual(response.json(), { status: 'ready' })
    })

    if (usesDataFolder) {
      test('below the floor → 503 storage_unavailable saying why, with Retry-After', async () => {
        const response = await full.request({ method: 'GET', url: '/readyz', as: null })
        assert.equal(response.statusCode, 503, response.body)
        const error = response.json().error
        assert.equal(error.code, 'storage_unavailable')
        assert.match(error.message, /bytes free, below the floor .*GRANARY_MIN_FREE_BYTES/)
        assert.ok(Number(response.headers['retry-after']) > 0)
        assert.equal(error.details.min_free_bytes, Number.MAX_SAFE_INTEGER)
        assert.ok(Number(error.details.free_bytes) >= 0)
      })
    } else {
      test('PostgreSQL + S3 keep nothing in the data folder: its free space is not checked', async () => {
        const response = await full.request({ method: 'GET', url: '/readyz', as: null })
        assert.equal(response.statusCode, 200, response.body)
      })
    }
  })
}
