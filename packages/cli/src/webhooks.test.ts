import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { json, runCli } from '../test/harness.ts'

const hook = {
  id: 'wh_1',
  workspace_id: 'ws_lab',
  url: 'https://ci.example.org/granary',
  events: ['file.created', 'file.deleted'],
  created_at: '2026-01-02T03:04:05Z',
}

describe('granary webhooks', () => {
  it('creates one and prints its secret once', async () => {
    const argv = ['-w', 'ws_lab', 'webhooks', 'create', hook.url]
    const result = await runCli(
      [...argv, '--event', 'file.created', '--event', 'file.deleted'],
      () => json({ ...hook, secret: 'whsec_abc' }, 201),
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.requests[0]?.body.toString() ?? ''), {
      workspace_id: 'ws_lab',
      url: hook.url,
      events: ['file.created', 'file.deleted'],
    })
    assert.equal(
      result.stdout,
      `created webhook wh_1 (file.created,file.deleted -> ${hook.url})\nsecret: whsec_abc\n`,
    )
  })

  it('refuses an unknown event before any request', async () => {
    const result = await runCli(['webhooks', 'create', 'u', '--event', 'eat'])
    assert.equal(result.code, 2)
    assert.equal(result.requests.length, 0)
  })

  it('lists webhooks and deliveries, retries and deletes', async () => {
    const delivery = {
      id: 'whd_1',
      webhook_id: 'wh_1',
      event_id: 'ev_1',
      event: 'file.created',
      status: 'failed',
      attempts: 14,
      next_attempt_at: null,
      last_attempt_at: '2026-01-03T03:04:05Z',
      last_status: 500,
      last_error: 'the receiver answered 500 (not a 2xx)',
      created_at: '2026-01-02T03:04:05Z',
      delivered_at: null,
    }
    const handler = (req: { method: string; url: URL }) =>
      req.url.pathname.endsWith('/retry')
        ? json({ ...delivery, status: 'pending' }, 202)
        : req.url.pathname.endsWith('/deliveries')
          ? json({ deliveries: [delivery] })
          : req.method === 'DELETE'
            ? new Response(null, { status: 204 })
            : json({ webhooks: [hook] })
    const listed = await runCli(['-w', 'ws_lab', 'webhooks', 'list'], handler)
    assert.equal(listed.requests[0]?.url.search, '?workspace_id=ws_lab')
    assert.match(
      listed.stdout,
      /^ID\s+WORKSPACE\s+EVENTS\s+URL\nwh_1\s+ws_lab\s+file\.created,file\.deleted\s+https/,
    )
    const deliveries = await runCli(
      ['webhooks', 'deliveries', 'wh_1', '--status', 'failed'],
      handler,
    )
    assert.equal(deliveries.requests[0]?.url.search, '?status=failed')
    assert.match(deliveries.stdout, /whd_1\s+file\.created\s+failed\s+14\s+500/)
    const retried = await runCli(['webhooks', 'retry', 'wh_1', 'whd_1'], handler)
    assert.equal(retried.requests[0]?.url.pathname, '/v1/webhooks/wh_1/deliveries/whd_1/retry')
    assert.equal(retried.stdout, 'delivery whd_1 queued again\n')
    const every = await runCli(['webhooks', 'list', '--all'], handler)
    assert.equal(every.requests[0]?.url.search, '')
    const deleted = await runCli(['webhooks', 'delete', 'wh_1'], handler)
    assert.equal(deleted.stdout, 'deleted webhook wh_1\n')
  })
})
