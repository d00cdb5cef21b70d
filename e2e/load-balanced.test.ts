/**
 * The production shape (docs/deploy-production.md): two Granary processes on PostgreSQL and Ceph
 * RGW behind HAProxy with deploy/haproxy.cfg. One process is killed (-9) while clients upload,
 * list and download through the proxy; they finish their work through the other, retrying what
 * the kill cut off, and every byte they read back is what they wrote.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { ApiError, Granary, NetworkError } from '@granary/client'
import { requires } from '../packages/server/test/support/requires.ts'
import { s3ServerEnv } from '../packages/server/test/support/s3-test-env.ts'
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

describe('two processes behind HAProxy, one killed mid-traffic', requires('postgres', 's3'), () => {
  let a: ServerProcess
  let b: ServerProcess
  let proxy: LoadBalancer
  before(async () => {
    const env = {
      GRANARY_DATABASE_URL: await freshDatabase(process.env.GRANARY_TEST_DATABASE_URL ?? ''),
      GRANARY_SIGNING_SECRET: randomBytes(32).toString('hex'),
      ...s3ServerEnv(),
      GRANARY_S3_PREFIX: `load-balanced-${randomBytes(4).toString('hex')}/`,
      GRANARY_TRUST_PROXY: '127.0.0.1',
    }
    ;[a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
    proxy = await startHaproxy([a.url, b.url])
  })
  after(async () => {
    await proxy?.stop()
    await Promise.all([a?.stop(), b?.stop()])
  })

  test('clients finish through the survivor and read back exactly what they wrote', async () => {
    const client = new Granary({ baseUrl: proxy.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' })
    const counter = { retries: 0 }
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
  })
})
