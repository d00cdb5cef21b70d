/**
 * Issue #16, webhooks: registered by an admin (secret shown once), fed by the audit log (the
 * outbox), delivered by the worker to a real receiver on 127.0.0.1, signed per Standard Webhooks
 * (checked with the `standardwebhooks` package), retried with backoff on the injected clock,
 * given up after 24 h, retried by hand, delivered once by racing workers, redirects not followed.
 */
import assert from 'node:assert/strict'
import { after, before, beforeEach, describe, test } from 'node:test'
import { Webhook } from 'standardwebhooks'
import { systemClock } from '../../src/clocks.ts'
import { WebhookWorker } from '../../src/domain/webhooks/webhook-worker.ts'
import { HttpWebhookSender } from '../../src/outbound/http-webhook-sender.ts'
import { createServer, type Server } from '../../src/server.ts'
import { backendMatrix } from '../support/backends.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts'

const ALLOW_PRIVATE = { GRANARY_WEBHOOK_ALLOW_PRIVATE: 'true' }
const ALL_EVENTS = [
  'file.created',
  'file.replaced',
  'file.deleted',
  'file.restored',
  'upload.failed',
]

interface CreatedWebhook {
  id: string
  secret: string
  url: string
  events: string[]
}

async function register(
  server: TestServer,
  url: string,
  events: string[] = ALL_EVENTS,
): Promise<CreatedWebhook> {
  const response = await server.request({
    method: 'POST',
    url: '/v1/webhooks',
    json: { workspace_id: 'ws_default', url, events },
  })
  assert.equal(response.statusCode, 201, response.body)
  return response.json()
}

async function deliveries(server: TestServer, id: string) {
  const response = await server.request({ method: 'GET', url: `/v1/webhooks/${id}/deliveries` })
  assert.equal(response.statusCode, 200, response.body)
  return response.json().deliveries as Array<Record<string, unknown>>
}

const runWorker = (server: TestServer) => server.server.services.webhookWorker.runOnce()

// Webhooks live in the metadata store: every database, local blobs.
for (const backend of backendMatrix().filter((b) => b.name.endsWith('+local'))) {
  describe(`webhooks (${backend.name})`, () => {
    let server: TestServer
    let receiver: WebhookReceiver
    let hook: CreatedWebhook
    before(async () => {
      server = await startTestServer(backend, ALLOW_PRIVATE)
      receiver = await startWebhookReceiver()
    })
    after(async () => {
      await server?.close()
      await receiver?.close()
    })
    beforeEach(async () => {
      // Each test starts with one fresh webhook and an empty receiver.
      for (const old of (await server.request({ method: 'GET', url: '/v1/webhooks' })).json()
        .webhooks as Array<{ id: string }>) {
        await server.request({ method: 'DELETE', url: `/v1/webhooks/${old.id}` })
      }
      await runWorker(server)
      receiver.received.length = 0
      receiver.answerWith()
      receiver.alwaysAnswer(200)
      hook = await register(server, receiver.url)
    })

    test('admin only; the secret is answered once; unknown ids are 404', async () => {
      assert.match(hook.secret, /^whsec_[A-Za-z0-9+/=]{40,}$/)
      const listed = (await server.request({ method: 'GET', url: '/v1/webhooks' })).json()
      assert.deepEqual(
        listed.webhooks.map((w: Record<string, unknown>) => [w.id, w.url, 'secret' in w]),
        [[hook.id, receiver.url, false]],
      )
      const reader = await server.key(['files'], ['ws_default'])
      const asReader = await server.request({ method: 'GET', url: '/v1/webhooks', as: reader })
      assert.equal(asReader.json().error.code, 'insufficient_scope')
      const elsewhere = await server.request({
        method: 'POST',
        url: '/v1/webhooks',
        json: { workspace_id: 'ws_nowhere', url: receiver.url, events: ['file.created'] },
      })
      assert.equal(elsewhere.json().error.code, 'workspace_not_found')
      const badEvent = await server.request({
        method: 'POST',
        url: '/v1/webhooks',
        json: { workspace_id: 'ws_default', url: receiver.url, events: ['file.eaten'] },
      })
      assert.equal(badEvent.statusCode, 400)
      const gone = await server.request({ method: 'DELETE', url: '/v1/webhooks/wh_nothing' })
      assert.deepEqual([gone.statusCode, gone.json().error.code], [404, 'webhook_not_found'])
      const retry = await server.request({
        method: 'POST',
        url: `/v1/webhooks/${hook.id}/deliveries/whd_nothing/retry`,
      })
      assert.equal(retry.json().error.code, 'webhook_delivery_not_found')
    })

    test('a change is delivered once, signed per Standard Webhooks', async () => {
      await uploadForm(server, { filename: 'a.vcf', path: 'hooks', content: 'one' })
      await uploadForm(server, { filename: 'a.vcf', path: 'hooks', content: 'two' })
      const removed = await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', key: 'hooks/a.vcf' },
      })
      assert.equal(removed.statusCode, 204)
      const report = await runWorker(server)
      assert.deepEqual([report.created, report.delivered], [3, 3])
      assert.equal((await runWorker(server)).delivered, 0, 'nothing is sent twice')
      const verifier = new Webhook(hook.secret)
      const bodies = receiver.received.map((r) => verifier.verify(r.body, r.headers)) as Array<{
        type: string
        data: Record<string, unknown>
      }>
      assert.deepEqual(
        bodies.map((b) => [b.type, b.data.key, b.data.workspace_id]),
        [
          ['file.created', 'hooks/a.vcf', 'ws_default'],
          ['file.replaced', 'hooks/a.vcf', 'ws_default'],
          ['file.deleted', 'hooks/a.vcf', 'ws_default'],
        ],
      )
      assert.equal(bodies[0]?.data.size, 3)
      const tampered = receiver.received[0]
      assert.ok(tampered)
      assert.throws(() => verifier.verify(`${tampered.body} `, tampered.headers))
      const listed = await deliveries(server, hook.id)
      assert.deepEqual(
        listed.map((d) => [d.status, d.attempts, d.last_status]),
        [
          ['delivered', 1, 200],
          ['delivered', 1, 200],
          ['delivered', 1, 200],
        ],
      )
      assert.deepEqual(
        new Set(receiver.received.map((r) => r.headers['webhook-id'])),
        new Set(listed.map((d) => d.id)),
      )
    })

    test('only the events subscribed to, only from its workspace', async () => {
      await server.request({ method: 'DELETE', url: `/v1/webhooks/${hook.id}` })
      const deletesOnly = await register(server, receiver.url, ['file.deleted'])
      await uploadForm(server, { filename: 'quiet.txt', content: 'x' })
      await server.request({
        method: 'POST',
        url: '/v1/workspaces',
        json: { id: 'ws_other_hooks', name: 'other' },
      })
      await uploadForm(server, { filename: 'b.txt', content: 'x', workspaceId: 'ws_other_hooks' })
      await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: 'ws_other_hooks', key: 'b.txt' },
      })
      await runWorker(server)
      assert.equal(receiver.received.length, 0)
      assert.deepEqual(await deliveries(server, deletesOnly.id), [])
    })

    test('an upload that fails its checksum at confirm is announced as upload.failed', async () => {
      const started = await server.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: {
          workspace_id: 'ws_default',
          filename: 'bad-sum.bin',
          size: 4,
          sha256: '0'.repeat(64),
          content_type: 'application/octet-stream',
        },
      })
      assert.equal(started.statusCode, 201, started.body)
      const info = started.json()
      const put = await server.fetchSigned(info.uploadUrl, {
        method: 'PUT',
        headers: info.headers,
        body: Buffer.from('abcd'),
      })
      assert.ok(put.status < 300, String(put.status))
      const confirmed = await server.request({
        method: 'POST',
        url: '/v1/files/upload-confirm',
        json: {
          workspace_id: 'ws_default',
          file_key: info.fileKey,
          size: 4,
          upload_id: info.uploadId,
        },
      })
      assert.equal(confirmed.json().error.code, 'checksum_mismatch')
      await runWorker(server)
      const types = receiver.received.map((r) => JSON.parse(r.body).type)
      assert.deepEqual(types, ['upload.failed'])
      assert.equal(JSON.parse(receiver.received[0]?.body ?? '{}').data.key, 'bad-sum.bin')
    })

    test('a receiver answering 500 is retried with backoff on the clock, same webhook-id', async () => {
      receiver.answerWith(500, 500)
      await uploadForm(server, { filename: 'retry.txt', content: 'x' })
      await runWorker(server)
      let [delivery] = await deliveries(server, hook.id)
      assert.deepEqual(
        [delivery?.status, delivery?.attempts, delivery?.last_status],
        ['pending', 1, 500],
      )
      const firstWait = Date.parse(String(delivery?.next_attempt_at)) - server.clock.now()
      assert.ok(firstWait >= 14_000 && firstWait <= 31_000, `first retry in ${firstWait} ms`)
      await runWorker(server)
      assert.equal(receiver.received.length, 1, 'not due yet: nothing sent')
      server.clock.advance(31_000)
      await runWorker(server)
      ;[delivery] = await deliveries(server, hook.id)
      assert.deepEqual([delivery?.status, delivery?.attempts], ['pending', 2])
      const secondWait = Date.parse(String(delivery?.next_attempt_at)) - server.clock.now()
      assert.ok(secondWait >= 29_000 && secondWait <= 61_000, `second retry in ${secondWait} ms`)
      server.clock.advance(61_000)
      await runWorker(server)
      ;[delivery] = await deliveries(server, hook.id)
      assert.deepEqual(
        [delivery?.status, delivery?.attempts, delivery?.last_status],
        ['delivered', 3, 200],
      )
      const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']))
      assert.deepEqual([receiver.received.length, ids.size], [3, 1])
      const verifier = new Webhook(hook.secret)
      for (const r of receiver.received) verifier.verify(r.body, r.headers)
    })

    test('given up after 24 h (failed), then sent again by hand', async () => {
      receiver.alwaysAnswer(503)
      await uploadForm(server, { filename: 'doomed.txt', content: 'x' })
      let delivery: Record<string, unknown> | undefined
      for (let round = 0; round < 40; round++) {
        await runWorker(server)
        ;[delivery] = await deliveries(server, hook.id)
        if (delivery?.status !== 'pending') break
        server.clock.advance(2 * 3600_000 + 1000)
      }
      assert.equal(delivery?.status, 'failed')
      assert.equal(delivery?.next_attempt_at, null)
      const attempts = Number(delivery?.attempts)
      assert.ok(attempts >= 10 && attempts <= 25, `${attempts} attempts in 24 h`)
      assert.equal(receiver.received.length, attempts)
      server.clock.advance(3600_000)
      await runWorker(server)
      assert.equal(receiver.received.length, attempts, 'a failed delivery is not retried')
      receiver.alwaysAnswer(204)
      const retry = await server.request({
        method: 'POST',
        url: `/v1/webhooks/${hook.id}/deliveries/${delivery?.id}/retry`,
      })
      assert.deepEqual([retry.statusCode, retry.json().status], [202, 'pending'])
      await runWorker(server)
      ;[delivery] = await deliveries(server, hook.id)
      assert.deepEqual([delivery?.status, delivery?.last_status], ['delivered', 204])
    })

    test('a redirect is not followed: the attempt fails with its status', async () => {
      const elsewhere = await startWebhookReceiver()
      try {
        receiver.alwaysAnswer(302, { location: elsewhere.url })
        await uploadForm(server, { filename: 'moved.txt', content: 'x' })
        await runWorker(server)
        const [delivery] = await deliveries(server, hook.id)
        assert.deepEqual([delivery?.status, delivery?.last_status], ['pending', 302])
        assert.match(String(delivery?.last_error), /redirect, not followed/)
        assert.equal(receiver.received.length, 1)
        assert.equal(elsewhere.received.length, 0)
      } finally {
        await elsewhere.close()
      }
    })

    test('racing workers deliver each event once', async () => {
      // PostgreSQL: a second server on the same database, as a second process would be. SQLite is
      // one process (two connections in one process would wait on each other's locks): a second
      // worker on the same store, interleaving with the first at every await.
      const services = server.server.services
      const other: Server | undefined = backend.name.startsWith('postgres')
        ? await createServer(services.config, { clock: server.clock })
        : undefined
      try {
        for (let i = 0; i < 8; i++) {
          await uploadForm(server, { filename: `race-${i}.txt`, content: 'x' })
        }
        const second =
          other?.services.webhookWorker ??
          new WebhookWorker({
            store: services.metadata.webhooks,
            feed: {
              eventsAfter: (seq, limit) =>
                services.metadata.listEvents({ cursor: seq, order: 'asc', limit }),
            },
            sender: new HttpWebhookSender({ allowPrivate: true }),
            clock: server.clock,
            wallClock: systemClock,
          })
        const workers = [services.webhookWorker, second]
        for (let round = 0; round < 3; round++) {
          await Promise.all(workers.flatMap((w) => [w.runOnce(), w.runOnce()]))
        }
        const ids = receiver.received.map((r) => r.headers['webhook-id'])
        assert.equal(ids.length, 8, `received ${ids.length}`)
        assert.equal(new Set(ids).size, 8)
        const listed = await deliveries(server, hook.id)
        assert.deepEqual(
          listed.map((d) => d.status),
          Array(8).fill('delivered'),
        )
      } finally {
        await other?.close()
      }
    })

    test('the webhook backlog is a metric', async () => {
      receiver.alwaysAnswer(500)
      await uploadForm(server, { filename: 'backlog.txt', content: 'x' })
      await runWorker(server)
      const metrics = await server.request({ method: 'GET', url: '/metrics' })
      assert.match(metrics.body, /^granary_webhook_backlog 1$/m)
    })
  })
}

describe('SSRF guard (GRANARY_WEBHOOK_ALLOW_PRIVATE unset)', () => {
  let server: TestServer
  let receiver: WebhookReceiver
  before(async () => {
    server = await startTestServer({ name: 'sqlite+local', env: {} })
    receiver = await startWebhookReceiver()
  })
  after(async () => {
    await server?.close()
    await receiver?.close()
  })

  test('loopback, private, link-local and metadata targets are refused', async () => {
    for (const url of [
      receiver.url,
      'http://localhost:9/x',
      'http://10.1.2.3/x',
      'http://192.168.0.10/x',
      'http://172.20.0.1/x',
      'http://169.254.169.254/latest/meta-data/',
      'http://[::1]/x',
      'http://[fd00:ec2::254]/x',
      'http://[::ffff:127.0.0.1]/x',
      'http://0.0.0.0/x',
      'ftp://example.org/x',
      'http://user:pw@example.org/x',
      'not a url',
    ]) {
      const response = await server.request({
        method: 'POST',
        url: '/v1/webhooks',
        json: { workspace_id: 'ws_default', url, events: ['file.created'] },
      })
      assert.equal(response.statusCode, 400, url)
      assert.equal(response.json().error.code, 'webhook_url_refused', url)
    }
    assert.equal(receiver.received.length, 0)
  })
})
