import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { describe, it } from 'node:test'
import { fakeFetch, json } from '../test/fake-fetch.ts'
import { ApiError, parseRetryAfter } from './errors.ts'
import { Granary } from './granary.ts'

const busy = (status: number, retryAfter: string) =>
  json(
    { error: { code: status === 429 ? 'rate_limited' : 'storage_unavailable', message: 'wait' } },
    status,
    {
      'retry-after': retryAfter,
    },
  )
const PAGE = { files: [], next_cursor: null }

describe('429 and 503 answers are retried after Retry-After, a bounded number of times', () => {
  it('a call that is refused twice, then answered, succeeds', async () => {
    const answers = [busy(429, '0'), busy(503, '0'), json(PAGE)]
    const fetch = fakeFetch(() => answers.shift() ?? json(PAGE))
    const client = new Granary({ baseUrl: 'http://g.test', apiKey: 'k', fetch })
    assert.deepEqual(await client.files.list({ workspaceId: 'ws_a' }), PAGE)
    assert.equal(fetch.requests.length, 3)
  })

  it('gives up after the retries and raises the ApiError with the wait it was asked', async () => {
    const fetch = fakeFetch(() => busy(429, '0'))
    const client = new Granary({ baseUrl: 'http://g.test', apiKey: 'k', fetch })
    await assert.rejects(client.files.list({ workspaceId: 'ws_a' }), (err) => {
      assert.ok(err instanceof ApiError)
      assert.equal(err.code, 'rate_limited')
      assert.equal(err.retryAfterMs, 0)
      return true
    })
    assert.equal(fetch.requests.length, 4, 'the first try and 3 retries')
  })

  it('a wait longer than maxDelayMs, or retries: 0, raises at once', async () => {
    for (const [retryAfter, options] of [
      ['3600', {}],
      ['0', { busyRetry: { retries: 0 } }],
    ] as const) {
      const fetch = fakeFetch(() => busy(503, retryAfter))
      const client = new Granary({ baseUrl: 'http://g.test', apiKey: 'k', fetch, ...options })
      await assert.rejects(client.files.list({ workspaceId: 'ws_a' }), ApiError)
      assert.equal(fetch.requests.length, 1)
    }
  })

  it('an upload from a path is sent again, whole, after a 429', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'granary-busy-'))
    await writeFile(join(dir, 'a.txt'), 'file bytes')
    const info = { key: 'a.txt', size: 10 }
    const answers = [busy(429, '0'), json(info, 201)]
    const fetch = fakeFetch(() => answers.shift() ?? json(info, 201))
    const client = new Granary({ baseUrl: 'http://g.test', apiKey: 'k', fetch })
    assert.equal(
      (await client.files.upload(join(dir, 'a.txt'), { workspaceId: 'ws_a' })).key,
      'a.txt',
    )
    assert.equal(fetch.requests.length, 2)
    for (const request of fetch.requests)
      assert.match(Buffer.from(request.body).toString(), /file bytes/)
    await rm(dir, { recursive: true })
  })

  it('a streamed upload body is never sent twice', async () => {
    const fetch = fakeFetch(() => busy(429, '0'))
    const client = new Granary({ baseUrl: 'http://g.test', apiKey: 'k', fetch })
    const body = Readable.from([Buffer.from('bytes')])
    await assert.rejects(
      client.files.upload(body, { workspaceId: 'ws_a', filename: 'a.txt' }),
      (err) => err instanceof ApiError && err.status === 429,
    )
    assert.equal(fetch.requests.length, 1)
  })
})

describe('parseRetryAfter', () => {
  it('reads delay-seconds and HTTP-dates (RFC 9110)', () => {
    assert.equal(parseRetryAfter('7'), 7000)
    const now = Date.parse('2030-01-01T00:00:00Z')
    assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:00:05 GMT', now), 5000)
    assert.equal(parseRetryAfter('Tue, 01 Jan 2030 00:00:00 GMT', now + 9000), 0)
    assert.equal(parseRetryAfter(null), undefined)
    assert.equal(parseRetryAfter('soon'), undefined)
  })
})
