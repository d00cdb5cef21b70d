/**
 * Rate limits end to end (issue #11): a real server with a per-key rate and a failed-auth limit;
 * the TypeScript client waits the Retry-After of each 429 and its calls succeed; the CLI with a
 * wrong key gets 401, then `rate_limited`, and gives up at once when the wait is too long.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { ApiError, type FetchLike, Granary } from '@granary/client'
import {
  ADMIN_KEY,
  ROOT,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.ts'

const exec = promisify(execFile)

describe('Rate limits against a running server', () => {
  let server: ServerProcess
  before(async () => {
    server = await startServerProcess({
      GRANARY_RATE_LIMIT_KEY_REQUESTS: '3',
      GRANARY_RATE_LIMIT_KEY_WINDOW_S: '1',
      GRANARY_RATE_LIMIT_AUTH_FAILURES: '2',
      GRANARY_RATE_LIMIT_AUTH_WINDOW_S: '600',
    })
  })
  after(() => server.stop())

  test('the client waits Retry-After on 429 and every call succeeds', async () => {
    const statuses: number[] = []
    const counting: FetchLike = async (input, init) => {
      const response = await fetch(input, init)
      statuses.push(response.status)
      return response
    }
    const client = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY, fetch: counting })
    for (let i = 0; i < 5; i++) {
      const page = await client.files.list({ workspaceId: 'ws_default' })
      assert.deepEqual(page.files, [])
    }
    assert.ok(statuses.includes(429), `the key went over its rate: ${statuses}`)
    assert.equal(statuses.filter((s) => s === 200).length, 5)
  })

  test('the CLI with a wrong key: 401 twice, then rate_limited without waiting 10 minutes', async () => {
    const granary = async () => {
      try {
        await exec(process.execPath, [join(ROOT, 'packages/cli/bin/granary.js'), 'ls'], {
          env: {
            PATH: process.env.PATH ?? '',
            GRANARY_URL: server.url,
            GRANARY_API_KEY: 'gr_wrong',
          },
        })
        return ''
      } catch (error) {
        return (error as { stderr: string }).stderr
      }
    }
    assert.match(await granary(), /\(unauthenticated\)/)
    assert.match(await granary(), /\(unauthenticated\)/)
    assert.match(await granary(), /\(rate_limited\)/)
    const client = new Granary({ baseUrl: server.url, apiKey: 'gr_wrong' })
    await assert.rejects(client.files.list({ workspaceId: 'ws_default' }), (err) => {
      assert.ok(err instanceof ApiError)
      assert.equal(err.code, 'rate_limited')
      assert.ok((err.retryAfterMs ?? 0) > 60_000, 'the wait the server asked for')
      return true
    })
  })
})
