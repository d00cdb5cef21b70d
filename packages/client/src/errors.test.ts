import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { errorResponse, fakeFetch } from '../test/fake-fetch.ts'
import { ApiError, apiErrorFrom, NetworkError } from './errors.ts'
import { Granary } from './granary.ts'

describe('apiErrorFrom', () => {
  it('reads code, message, request id and details from the JSON error body', async () => {
    const body = {
      error: {
        code: 'size_mismatch',
        message: 'Expected 3 bytes.',
        request_id: 'req-9',
        details: { expected: 3 },
      },
    }
    const err = await apiErrorFrom(new Response(JSON.stringify(body), { status: 422 }))
    assert.ok(err instanceof ApiError)
    assert.equal(err.status, 422)
    assert.equal(err.code, 'size_mismatch')
    assert.equal(err.message, 'Expected 3 bytes.')
    assert.equal(err.requestId, 'req-9')
    assert.deepEqual(err.details, { expected: 3 })
  })

  it('falls back to the x-request-id header', async () => {
    const body = JSON.stringify({ error: { code: 'file_not_found', message: 'gone' } })
    const headers = { 'x-request-id': 'req-h' }
    const err = await apiErrorFrom(new Response(body, { status: 404, headers }))
    assert.equal(err.requestId, 'req-h')
  })

  it('maps a non-JSON body to internal_error with the status and a snippet', async () => {
    const response = new Response('<html>Bad Gateway</html>', {
      status: 502,
      statusText: 'Bad Gateway',
    })
    const err = await apiErrorFrom(response)
    assert.equal(err.code, 'internal_error')
    assert.equal(err.status, 502)
    assert.match(err.message, /^HTTP 502 Bad Gateway: <html>Bad Gateway/)
  })

  it('maps a proxy 413 to request_too_large', async () => {
    const err = await apiErrorFrom(new Response('too big', { status: 413 }))
    assert.equal(err.code, 'request_too_large')
  })

  it('ignores JSON without an error object', async () => {
    const err = await apiErrorFrom(new Response('{"message":"x"}', { status: 500 }))
    assert.equal(err.code, 'internal_error')
  })
})

describe('client error mapping', () => {
  it('throws ApiError for a non-2xx answer', async () => {
    const fetch = fakeFetch(() => errorResponse(404, 'workspace_not_found', 'No workspace.'))
    const client = new Granary({ baseUrl: 'http://granary.test', fetch })
    await assert.rejects(client.files.list({ workspaceId: 'ws_x' }), {
      name: 'ApiError',
      code: 'workspace_not_found',
      status: 404,
      requestId: 'req-test',
    })
  })

  it('throws NetworkError, keeping the cause, when fetch fails', async () => {
    const cause = new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED') })
    const client = new Granary({
      baseUrl: 'http://granary.test',
      fetch: () => Promise.reject(cause),
    })
    const err = await client.health().catch((e: unknown) => e)
    assert.ok(err instanceof NetworkError)
    assert.equal(err.cause, cause)
    assert.match(err.message, /http:\/\/granary\.test\/healthz.*ECONNREFUSED/)
  })

  it('lets an abort through as itself', async () => {
    const controller = new AbortController()
    controller.abort()
    const fetch = (_: unknown, init?: RequestInit) =>
      Promise.reject(init?.signal?.reason ?? new Error('no signal'))
    const client = new Granary({ baseUrl: 'http://granary.test', fetch })
    await assert.rejects(client.health({ signal: controller.signal }), { name: 'AbortError' })
  })
})
