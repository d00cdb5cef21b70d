import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import Fastify from 'fastify'
import type { Principal } from '../domain/auth.ts'
import { AppError } from '../domain/errors.ts'
import { installRequestAuth } from './request-auth.ts'

const READER: Principal = {
  keyId: 'key_reader',
  keyName: 'reader',
  createdAt: '2030-01-01T00:00:00.000Z',
  expiresAt: null,
  scopes: ['files:read'],
  workspaceIds: ['ws_a'],
}

/** A Fastify app whose log lines are collected, with one key: `reader`. */
function appWithLog() {
  const lines: Array<Record<string, unknown>> = []
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  const app = Fastify({ logger: { level: 'info', stream } })
  installRequestAuth(app, async (secret) => {
    if (secret === 'reader') return READER
    throw new AppError('unauthenticated', 'no')
  })
  app.setErrorHandler((error: AppError, _request, reply) =>
    reply.code(error.code === 'unauthenticated' ? 401 : 403).send({ code: error.code }),
  )
  return { app, lines }
}

test('a documented route without config.auth is refused when it is registered', async () => {
  const { app } = appWithLog()
  assert.throws(
    () => app.get('/v1/x', { schema: { operationId: 'x.get' } }, async () => ({})),
    /x\.get .* must declare config\.auth/,
  )
  app.get('/v1/public', { schema: { operationId: 'x.public', security: [] } }, async () => ({}))
  await app.close()
})

test('the hook answers 401 and 403 before the handler, and hands the principal over', async () => {
  const { app } = appWithLog()
  let calls = 0
  const options = (auth: 'files:read' | 'admin') => ({
    config: { auth },
    schema: { operationId: `x.${auth}` },
  })
  app.get('/read', options('files:read'), async (request) => {
    calls++
    return { key: request.principal.keyId }
  })
  app.get('/admin', options('admin'), async () => {
    calls++
    return {}
  })
  const anonymous = await app.inject({ url: '/read' })
  assert.equal(anonymous.statusCode, 401)
  const header = { authorization: 'Bearer reader' }
  const admin = await app.inject({ url: '/admin', headers: header })
  assert.deepEqual([admin.statusCode, admin.json().code], [403, 'insufficient_scope'])
  assert.equal(calls, 0, 'no handler ran')
  const read = await app.inject({ url: '/read', headers: header })
  assert.deepEqual(read.json(), { key: 'key_reader' })
  await app.close()
})

test("every log line of a request carries the route's operation name", async () => {
  const { app, lines } = appWithLog()
  app.get(
    '/read',
    { config: { auth: 'files:read' }, schema: { operationId: 'files.list' } },
    async () => ({}),
  )
  await app.inject({ url: '/read', headers: { authorization: 'Bearer reader' } })
  const messages = lines.filter((line) => line.reqId).map((l) => [l.msg, l.operation])
  assert.deepEqual(messages, [
    ['incoming request', 'files.list'],
    ['request completed', 'files.list'],
  ])
  await app.close()
})
