/**
 * Issue #16, metrics: GET /metrics in Prometheus's text format, readable with an admin key or
 * GRANARY_METRICS_TOKEN; requests by operationId and status with latency and bytes, uploads in
 * flight, the reaper's backlog and the database pool; one registry per server.
 */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import {
  ADMIN_KEY,
  formBody,
  startTestServer,
  type TestServer,
  uploadForm,
} from '../support/test-server.ts'

const TOKEN = 'metrics-token-0123456789'

/** The value of one sample (`name{labels}`) in an exposition text; undefined when absent. */
function sample(
  text: string,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue
    const labelText = line.slice(name.length).split(' ')[0] ?? ''
    const wanted = Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))
    if (wanted) return Number(line.split(' ').at(-1))
  }
  return undefined
}

async function scrape(server: TestServer): Promise<string> {
  const response = await server.request({ method: 'GET', url: '/metrics', as: TOKEN })
  assert.equal(response.statusCode, 200, response.body)
  assert.match(String(response.headers['content-type']), /^text\/plain; version=0\.0\.4/)
  return response.body
}

// Local blobs keep the suite lean; the pool gauge needs PostgreSQL.
for (const backend of backendMatrix().filter((b) => b.name.endsWith('+local'))) {
  describe(`/metrics (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend, { GRANARY_METRICS_TOKEN: TOKEN })
    })
    after(() => server?.close())

    test('readable with an admin key or the metrics token only', async () => {
      const reader = await server.key(['files:read'], ['ws_default'])
      const status = async (as: string | null) =>
        (await server.request({ method: 'GET', url: '/metrics', as })).statusCode
      assert.equal(await status(null), 401)
      assert.equal(await status('not-the-token-0123456789'), 401)
      assert.equal(await status(reader), 403)
      assert.equal(await status(ADMIN_KEY), 200)
      assert.equal(await status(TOKEN), 200)
    })

    test('requests by operationId and status, with latency and bytes', async () => {
      const content = 'x'.repeat(10_000)
      const before = await scrape(server)
      const uploaded = await uploadForm(server, { filename: 'm.txt', path: 'metrics', content })
      assert.equal(uploaded.statusCode, 201)
      const missing = await server.request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key: 'metrics/none.txt' },
      })
      assert.equal(missing.statusCode, 404)
      const text = await scrape(server)
      const upload = { operation: 'files.upload', method: 'POST', status: '201' }
      const count = (t: string, labels: Record<string, string>) =>
        sample(t, 'granary_http_requests_total', labels) ?? 0
      assert.equal(count(text, upload) - count(before, upload), 1)
      const notFound = { operation: 'files.download', status: '404' }
      assert.equal(count(text, notFound) - count(before, notFound), 1)
      const received = (t: string) =>
        sample(t, 'granary_http_received_bytes_total', { operation: 'files.upload' }) ?? 0
      assert.ok(received(text) - received(before) >= content.length)
      const latencies = sample(text, 'granary_http_request_duration_seconds_count', {
        operation: 'files.upload',
        status_class: '2xx',
      })
      assert.ok((latencies ?? 0) >= 1)
      assert.ok(
        (sample(text, 'granary_http_sent_bytes_total', { operation: 'files.download' }) ?? 0) > 0,
      )
      assert.ok(sample(text, 'granary_process_resident_memory_bytes') !== undefined)
    })

    test("the reaper's backlog counts queued deletions", async () => {
      await uploadForm(server, { filename: 'queued.txt', content: 'bytes' })
      const before = sample(await scrape(server), 'granary_pending_deletions')
      // Straight through the store: the file goes, its blob stays queued (no deletion ran yet).
      await server.server.services.metadata.deleteFile('ws_default', 'queued.txt')
      const after = sample(await scrape(server), 'granary_pending_deletions')
      assert.equal(after, (before ?? 0) + 1)
    })

    test('the database pool, where the driver has one', async () => {
      const total = sample(await scrape(server), 'granary_database_pool_connections', {
        state: 'total',
      })
      if (backend.name.startsWith('postgres')) assert.ok((total ?? 0) >= 1)
      else assert.equal(total, undefined)
    })
  })
}

describe('uploads in flight, on a real socket', () => {
  let server: TestServer
  let port: number
  before(async () => {
    server = await startTestServer(
      { name: 'sqlite+local', env: {} },
      {
        GRANARY_METRICS_TOKEN: TOKEN,
      },
    )
    await server.app.listen({ port: 0, host: '127.0.0.1' })
    const address = server.app.server.address()
    port = typeof address === 'object' && address ? address.port : 0
  })
  after(() => server?.close())

  const inFlight = async () => sample(await scrape(server), 'granary_uploads_in_flight')

  /** Polls until `check` holds (bounded); the server notices a closed socket asynchronously. */
  const eventually = async (check: () => Promise<boolean>) => {
    for (let attempt = 0; attempt < 100; attempt++) {
      if (await check()) return
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    assert.fail('the condition never held')
  }

  test('a form upload counts while its body arrives, and not after the client leaves', async () => {
    assert.equal(await inFlight(), 0)
    const form = formBody({ workspace_id: 'ws_default' }, { filename: 'slow.bin', content: '' })
    const socket: Socket = connect(port, '127.0.0.1')
    socket.on('error', () => {})
    socket.write(
      `POST /v1/files/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${ADMIN_KEY}\r\n` +
        `Content-Type: ${form.headers['content-type']}\r\nContent-Length: ${form.body.length + 4096}\r\n\r\n`,
    )
    socket.write(form.body.subarray(0, 200))
    await eventually(async () => (await inFlight()) === 1)
    socket.destroy()
    await eventually(async () => (await inFlight()) === 0)
  })
})

describe('each server counts its own requests', () => {
  test('two servers in one process keep separate registries', async () => {
    const backend = { name: 'sqlite+local', env: {} }
    const a = await startTestServer(backend, { GRANARY_METRICS_TOKEN: TOKEN })
    const b = await startTestServer(backend, { GRANARY_METRICS_TOKEN: TOKEN })
    try {
      for (let i = 0; i < 3; i++) await a.request({ method: 'GET', url: '/healthz' })
      const labels = { operation: 'service.health', status: '200' }
      assert.equal(sample(await scrape(a), 'granary_http_requests_total', labels), 3)
      assert.equal(sample(await scrape(b), 'granary_http_requests_total', labels), undefined)
    } finally {
      await a.close()
      await b.close()
    }
  })
})
