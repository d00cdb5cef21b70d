/** client.webhooks against the real app in-process, and a real receiver on 127.0.0.1. */
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { injectFetch } from '../../server/test/support/inject-fetch.ts'
import {
  ADMIN_KEY,
  PUBLIC_URL,
  startTestServer,
  type TestServer,
  uploadForm,
} from '../../server/test/support/test-server.ts'
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../../server/test/support/webhook-receiver.ts'
import { ApiError } from './errors.ts'
import { Granary } from './granary.ts'

let server: TestServer
let receiver: WebhookReceiver
let client: Granary
before(async () => {
  server = await startTestServer(
    { name: 'sqlite+local', env: {} },
    { GRANARY_WEBHOOK_ALLOW_PRIVATE: 'true' },
  )
  receiver = await startWebhookReceiver()
  client = new Granary({
    baseUrl: PUBLIC_URL,
    apiKey: ADMIN_KEY,
    fetch: injectFetch(server.app, PUBLIC_URL),
  })
})
after(async () => {
  await server?.close()
  await receiver?.close()
})

test('create, list, deliveries, retry, delete', async () => {
  const hook = await client.webhooks.create({
    workspaceId: 'ws_default',
    url: receiver.url,
    events: ['file.created'],
  })
  assert.match(hook.secret, /^whsec_/)
  assert.deepEqual(
    (await client.webhooks.list({ workspaceId: 'ws_default' })).map((h) => h.id),
    [hook.id],
  )
  await uploadForm(server, { filename: 'client-hook.txt', content: 'x' })
  await server.server.services.webhookWorker.runOnce()
  const [delivery] = await client.webhooks.deliveries(hook.id, { status: 'delivered' })
  assert.equal(delivery?.event, 'file.created')
  const again = await client.webhooks.retry(hook.id, String(delivery?.id))
  assert.equal(again.status, 'pending')
  await client.webhooks.delete(hook.id)
  await assert.rejects(client.webhooks.delete(hook.id), (error: unknown) => {
    assert.ok(error instanceof ApiError)
    assert.equal(error.code, 'webhook_not_found')
    return true
  })
})
