/**
 * Issue #16, logs: every line of a request carries its id; its completion line says the
 * operationId, status, duration, bytes in and out and the key id, never a secret.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { createLogger } from '../../src/logger.ts'
import { createServer, loadConfig, type Server } from '../../src/server.ts'
import { ADMIN_KEY, formBody } from '../support/test-server.ts'

type Line = Record<string, unknown>

describe('request log lines', () => {
  const lines: Line[] = []
  let server: Server
  let dataDir: string
  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'granary-log-'))
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)))
        done()
      },
    })
    server = await createServer(
      loadConfig({ GRANARY_DATA_DIR: dataDir, GRANARY_ADMIN_KEY: ADMIN_KEY }),
      { logger: createLogger('info', destination) },
    )
  })
  after(async () => {
    await server?.close()
    await rm(dataDir, { recursive: true, force: true })
  })

  const linesOf = (response: { headers: Record<string, unknown> }) =>
    lines.filter((line) => line.reqId === response.headers['x-request-id'])

  test('an upload: operation, status, duration, bytes and key id; no secret', async () => {
    const form = formBody({ workspace_id: 'ws_default' }, { filename: 'a.txt', content: 'hello' })
    const response = await server.app.inject({
      method: 'POST',
      url: '/v1/files/upload',
      headers: { ...form.headers, authorization: `Bearer ${ADMIN_KEY}` },
      payload: form.body,
    })
    assert.equal(response.statusCode, 201)
    const mine = linesOf(response)
    assert.ok(mine.length >= 2, 'every line of the request carries its id')
    const done = mine.find((line) => line.msg === 'request completed')
    assert.ok(done, JSON.stringify(mine))
    assert.equal(done.operation, 'files.upload')
    assert.equal(done.status, 201)
    assert.equal(done.method, 'POST')
    assert.equal(typeof done.durationMs, 'number')
    assert.equal(done.bytesIn, form.body.length)
    assert.ok(Number(done.bytesOut) > 0)
    const me = await server.app.inject({
      url: '/v1/me',
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
    })
    assert.equal(done.keyId, me.json().key.id)
    assert.doesNotMatch(JSON.stringify(lines), new RegExp(ADMIN_KEY))
  })

  test('a refused request: its status, and no key id', async () => {
    const response = await server.app.inject({
      url: '/v1/files?workspace_id=ws_default',
      headers: { authorization: 'Bearer gr_wrongwrongwrongwrongwrongwrong' },
    })
    assert.equal(response.statusCode, 401)
    const done = linesOf(response).find((line) => line.msg === 'request completed')
    assert.equal(done?.status, 401)
    assert.equal(done?.operation, 'files.list')
    assert.equal(done?.keyId, undefined)
    assert.doesNotMatch(JSON.stringify(lines), /gr_wrong/)
  })
})
