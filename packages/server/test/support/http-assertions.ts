/**
 * Assertions every adversarial HTTP test applies to every answer: no 5xx, no stack trace or
 * server file path, a request id, and errors in the documented JSON shape.
 */
import assert from 'node:assert/strict'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { LightMyRequestResponse } from 'fastify'
import type { SignedResponse, TestRequest, TestServer } from './test-server.ts'

export type AnyResponse = LightMyRequestResponse | SignedResponse

export interface ErrorJson {
  code: string
  message: string
  request_id?: string
  details?: Record<string, unknown>
}

export function statusOf(response: AnyResponse): number {
  return 'statusCode' in response ? response.statusCode : response.status
}

export function textOf(response: AnyResponse): string {
  return 'rawPayload' in response ? response.rawPayload.toString('utf8') : response.body.toString()
}

function header(response: AnyResponse, name: string): string | undefined {
  const value = response.headers[name]
  return Array.isArray(value) ? value.join(', ') : value === undefined ? undefined : String(value)
}

// A V8 stack frame ("    at fn (/path/file.ts:12:3)") or a source location ("file.ts:12").
const STACK_FRAME = /^\s*at \S.*(\(|:\d+)/m
const SOURCE_LOCATION = /\.(?:[cm]?[jt]s):\d+/
const SERVER_PATHS = ['node_modules', 'file://', process.cwd(), join(tmpdir(), 'granary-')]

/**
 * No answer is a 5xx or shows a stack trace or a path on the server. `ownBytes` marks a body
 * that is a user's file (a signed download), whose content is the user's business.
 */
export function assertSafe(response: AnyResponse, context = '', options = { ownBytes: false }) {
  const status = statusOf(response)
  const text = textOf(response)
  const where = `${context} -> ${status} ${text.slice(0, 300)}`
  assert.ok(status < 500, `a server error: ${where}`)
  if (options.ownBytes && status < 300) return
  assert.doesNotMatch(text, STACK_FRAME, `a stack trace: ${where}`)
  assert.doesNotMatch(text, SOURCE_LOCATION, `a source location: ${where}`)
  for (const path of SERVER_PATHS) {
    assert.ok(!text.includes(path), `the server path ${path} leaked: ${where}`)
  }
}

/**
 * A Granary error answer: the status, the code, a JSON body `{"error": {code, message,
 * request_id}}` and an `x-request-id` header that matches it. Answers the error.
 */
export function assertError(
  response: AnyResponse,
  status: number,
  code: string,
  context = '',
): ErrorJson {
  assertSafe(response, context)
  const text = textOf(response)
  assert.equal(statusOf(response), status, `${context}: ${text.slice(0, 300)}`)
  assert.match(header(response, 'content-type') ?? '', /^application\/json/, context)
  const body = JSON.parse(text) as { error?: ErrorJson }
  assert.ok(body.error, `${context}: no error object in ${text}`)
  assert.equal(body.error.code, code, `${context}: ${text}`)
  assert.equal(typeof body.error.message, 'string')
  assert.ok(body.error.message.length > 0, context)
  const requestId = header(response, 'x-request-id')
  assert.ok(requestId, `${context}: no x-request-id header`)
  assert.equal(body.error.request_id, requestId, context)
  return body.error
}

/** server.request, with every answer checked by assertSafe and an x-request-id required. */
export function guardedRequest(server: TestServer) {
  return async (options: TestRequest): Promise<LightMyRequestResponse> => {
    const response = await server.request(options)
    const context = `${options.method} ${options.url}`
    assertSafe(response, context)
    assert.ok(response.headers['x-request-id'], `${context}: no x-request-id header`)
    return response
  }
}

/** server.fetchSigned, with every answer checked by assertSafe (file bytes exempt). */
export function guardedFetch(server: TestServer) {
  return async (url: string, init: Parameters<TestServer['fetchSigned']>[1] = {}) => {
    const response = await server.fetchSigned(url, init)
    assertSafe(response, `${init.method ?? 'GET'} ${url}`, { ownBytes: true })
    return response
  }
}
