/**
 * The production shape (docs/deploy-production.md): two Granary processes on PostgreSQL and Ceph
 * RGW behind HAProxy with deploy/haproxy.cfg. One process is killed (-9) while clients upload,
 * list and download through the proxy; they finish their work through the other, retrying what
 * the kill cut off, and every byte they read back is what they wrote. The audit trail holds every
 * upload, and a webhook receiver gets each of those events exactly once after deduplicating by
 * `webhook-id` (delivery is at least once).
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { ApiError, Granary, NetworkError } from '@granary/client'
import { Webhook } from 'standardwebhooks'
import { requires } from '../packages/server/test/support/requires.ts'
import { s3ServerEnv } from '../packages/server/test/support/s3-test-env.ts'
import {
  startWebhookReceiver,
  type WebhookReceiver,
} from '../packages/server/test/support/webhook-receiver.ts'
import { type LoadBalancer, startHaproxy } from './support/haproxy.ts'
import { freshDatabase } from './support/postgres-database.ts'
import { ADMIN_KEY, type ServerProcess, startServerProcess } from './support/server-process.ts'

const WORKERS = 4
const FILES_PER_WORKER = 12
const sha = (data: Buffer | string) => createHash('sha256').update(data).digest('hex')

/**
 * What a pipeline does around each call: a call the kill cut off (no answer, or the proxy's
 * 502/503) is made again. Every write here is idempotent (overwrite of the same bytes).
 */
async function retrying<T>(call: () => Promise<T>, counter: { retries: number }): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      const cutOff =
        error instanceof NetworkError ||
        (error instanceof ApiError && [502, 503, 504].includes(error.status))
      if (!cutOff || attempt >= 10) throw error
      counter.retries++
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

interface AuditEvent {
  id: string
  key: string
  outcome: string
  actor_key_name: string | null
}

/** A JSON call with the admin key (webhooks and the audit trail have no client method here). */
async function adminCall(base: string, method: string, path: string, json?: object) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${ADMIN_KEY}`,
      ...(json ? { 'content-type': 'application/json' } : {}),
    },
    ...(json ? { body: JSON.stringify(json) } : {}),
  })
  const body = await response.json()
  assert.ok(response.ok, `${method} ${path}: ${JSON.stringify(body)}`)
  return body
}

describe('two processes behind HAProxy, one killed mid-traffic', requires('postgres', 's3'), () => {
  let a: ServerProcess
  let b: ServerProcess
  let proxy: LoadBalancer
  let receiver: WebhookReceiver
  before(async () => {
    receiver = await startWebhookReceiver()
    const env = {
      GRANARY_DATABASE_URL: await freshDatabase(process.env.GRANARY_TEST_DATABASE_URL ?? ''),
      GRANARY_SIGNING_SECRET: randomBytes(32).toString('hex'),
      ...s3ServerEnv(),
      GRANARY_S3_PREFIX: `load-balanced-${randomBytes(4).toString('hex')}/`,
      GRANARY_TRUST_PROXY: '127.0.0.1',
      GRANARY_WEBHOOK_ALLOW_PRIVATE: 'true',
    }
    ;[a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
    proxy = await startHaproxy([a.url, b.url])
  })
  after(async () => {
    await proxy?.stop()
    await Promise.all([a?.stop(), b?.stop()])
    await receiver?.close()
  })

  test('clients finish through the survivor and read back exactly what they wrote', async () => {
    const client = new Granary({ baseUrl: proxy.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' })
    const hook = await adminCall(proxy.url, 'POST', '/v1/webhooks', {
      workspace_id: 'ws_default',
      url: receiver.url,
      events: ['file.created', 'file.replaced'],
    })
    const counter = { retries: 0 }
    let uploadsAnswered = 0
    const written = new Map<string, string>()
    let done = 0
    const worker = async (w: number) => {
      for (let f = 0; f < FILES_PER_WORKER; f++) {
        const key = `lb/w${w}/f${f}.bin`
        const bytes = randomBytes(50_000 + ((w * 7 + f * 13) % 10) * 30_000)
        written.set(key, sha(bytes))
        const file = await retrying(
          () =>
            client.files.upload(new Blob([bytes]), {
              path: `lb/w${w}/`,
              filename: `f${f}.bin`,
              overwrite: true,
            }),
          counter,
        )
        assert.equal(file.sha256, sha(bytes))
        uploadsAnswered++
        const page = await retrying(() => client.files.list({ prefix: `lb/w${w}/` }), counter)
        assert.ok(page.files.some((listed) => listed.key === key))
        const body = await retrying(async () => {
          const response = await client.files.downloadStream(key)
          return Buffer.from(await new Response(response.body).arrayBuffer())
        }, counter)
        assert.equal(sha(body), sha(bytes), `${key} reads back as written`)
        done++
      }
    }
    const killer = (async () => {
      while (done < (WORKERS * FILES_PER_WORKER) / 3) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      await a.kill()
    })()
    await Promise.all([...Array.from({ length: WORKERS }, (_, w) => worker(w)), killer])
    assert.equal(done, WORKERS * FILES_PER_WORKER)

    const listed = new Map<string, string>()
    for await (const file of client.files.listAll({ prefix: 'lb/' }))
      listed.set(file.key, file.sha256)
    assert.deepEqual(listed, written, 'every file is there once, with the last bytes written')
    console.log(`# ${counter.retries} calls retried after the kill`)

    // The audit trail: an event for every upload answered (and for any the kill cut off after
    // its commit, which the retry made again), each naming a key that was written.
    const events: AuditEvent[] = []
    for (let cursor: string | null = ''; cursor !== null; ) {
      const page = await adminCall(
        proxy.url,
        'GET',
        `/v1/audit?order=asc&limit=1000&key_prefix=lb/&action=file.upload,file.replace${cursor ? `&cursor=${cursor}` : ''}`,
      )
      events.push(...page.events)
      cursor = page.next_cursor
    }
    assert.ok(
      events.length >= uploadsAnswered,
      `${events.length} events, ${uploadsAnswered} uploads`,
    )
    assert.ok(events.length <= uploadsAnswered + counter.retries)
    assert.deepEqual(new Set(events.map((e) => e.key)), new Set(written.keys()))
    assert.ok(events.every((e) => e.outcome === 'ok' && e.actor_key_name !== null))

    // Webhooks: every event reaches the receiver, signed, exactly once by webhook-id. A
    // delivery the killed process had leased is sent again by the survivor when the lease ends.
    const verifier = new Webhook(hook.secret)
    const byDelivery = async () => {
      const seen = new Map<string, string>()
      for (const request of receiver.received) {
        const body = verifier.verify(request.body, request.headers) as {
          data: { event_id: string }
        }
        seen.set(request.headers['webhook-id'] as string, body.data.event_id)
      }
      return seen
    }
    const deadline = Date.now() + 90_000
    while ((await byDelivery()).size < events.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    const delivered = await byDelivery()
    assert.equal(delivered.size, events.length, 'one delivery per event')
    assert.deepEqual(
      [...delivered.values()].sort(),
      events.map((e) => e.id).sort(),
      'the deliveries carry exactly the audited events',
    )
  })
})
