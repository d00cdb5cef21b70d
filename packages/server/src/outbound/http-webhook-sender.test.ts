import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import { after, before, test } from 'node:test'
import { startWebhookReceiver, type WebhookReceiver } from '../../test/support/webhook-receiver.ts'
import { isRefusedAddress } from './address-guard.ts'
import { HttpWebhookSender } from './http-webhook-sender.ts'

let receiver: WebhookReceiver
before(async () => {
  receiver = await startWebhookReceiver()
})
after(() => receiver.close())

const attempt = (sender: HttpWebhookSender, url: string) =>
  sender.send({ url, headers: { 'content-type': 'application/json' }, body: '{}' })

test('refused addresses: loopback, private, link-local, metadata, mapped forms', () => {
  for (const address of [
    '127.0.0.1',
    '10.0.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '::1',
    '::',
    'fe80::1',
    'fd00:ec2::254',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:a9fe:a9fe',
    'not-an-address',
  ]) {
    assert.equal(isRefusedAddress(address), true, address)
  }
  for (const address of ['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::1111']) {
    assert.equal(isRefusedAddress(address), false, address)
  }
})

test('a private target is refused when sending too: by address, and by a name resolving to one', async () => {
  const guarded = new HttpWebhookSender({ allowPrivate: false })
  const byAddress = await attempt(guarded, receiver.url)
  assert.equal(byAddress.ok, false)
  assert.match(byAddress.ok ? '' : byAddress.error, /refused/)
  const byName = await attempt(guarded, receiver.url.replace('127.0.0.1', 'localhost'))
  assert.equal(byName.ok, false)
  assert.match(byName.ok ? '' : byName.error, /refused/)
  assert.equal(receiver.received.length, 0)
  const allowed = await attempt(new HttpWebhookSender({ allowPrivate: true }), receiver.url)
  assert.deepEqual(allowed, { ok: true, status: 200 })
  assert.equal(receiver.received.length, 1)
})

test('an attempt without an answer ends at the timeout', async () => {
  const silent = createServer(() => {})
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve))
  const address = silent.address()
  const port = typeof address === 'object' && address ? address.port : 0
  try {
    const sender = new HttpWebhookSender({ allowPrivate: true, timeoutMs: 200 })
    const outcome = await attempt(sender, `http://127.0.0.1:${port}/`)
    assert.deepEqual(outcome, { ok: false, status: null, error: 'no answer within 0.2 s' })
  } finally {
    silent.closeAllConnections()
    silent.close()
  }
})
