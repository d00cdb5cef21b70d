/**
 * PostgreSQL going away under a running server: every call answers 503 database_unavailable
 * with Retry-After (never a 500, never a half-written file), and service resumes by itself.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type PostgresCluster, startPostgresCluster } from '../support/postgres-cluster.ts'
import { requires } from '../support/requires.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

const METRICS_TOKEN = 'metrics-token-0123456789'

describe('PostgreSQL outage', requires('postgres-server'), () => {
  let cluster: PostgresCluster
  let server: TestServer
  before(async () => {
    cluster = await startPostgresCluster()
    server = await startTestServer({
      name: 'postgres+local',
      env: { GRANARY_DATABASE_URL: cluster.url, GRANARY_METRICS_TOKEN: METRICS_TOKEN },
    })
  })
  after(async () => {
    await server?.close()
    await cluster?.stop()
  })

  test('503 with Retry-After while the database is down; back by itself when it returns', async () => {
    assert.equal(
      (await uploadForm(server, { filename: 'before.txt', content: 'kept' })).statusCode,
      201,
    )
    await cluster.crash()
    for (const response of [
      await server.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default' },
      }),
      await uploadForm(server, { filename: 'during.txt', content: 'lost?' }),
      await server.request({ method: 'GET', url: '/readyz' }),
    ]) {
      assert.equal(response.statusCode, 503, response.body)
      assert.equal(response.json().error.code, 'database_unavailable')
      assert.ok(Number(response.headers['retry-after']) > 0)
    }
    assert.equal((await server.request({ method: 'GET', url: '/healthz' })).statusCode, 200)
    // /metrics still answers (with its token: an admin key needs the database) and counts them.
    const metrics = await server.request({ method: 'GET', url: '/metrics', as: METRICS_TOKEN })
    assert.equal(metrics.statusCode, 200)
    const errors = metrics.body.match(
      /^granary_store_errors_total\{store="database",code="database_unavailable"\} (\d+)$/m,
    )
    assert.ok(Number(errors?.[1]) >= 3, metrics.body)
    await cluster.restart()
    let listed: { files: Array<{ key: string }> } | undefined
    for (let attempt = 0; attempt < 50 && !listed; attempt++) {
      const response = await server.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default' },
      })
      if (response.statusCode === 200) listed = response.json()
      else await new Promise((resolve) => setTimeout(resolve, 200))
    }
    assert.deepEqual(
      listed?.files.map((f) => f.key),
      ['before.txt'],
      'the failed upload left nothing',
    )
    assert.equal((await server.request({ method: 'GET', url: '/readyz' })).statusCode, 200)
  })
})
