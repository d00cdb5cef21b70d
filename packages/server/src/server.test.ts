import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Writable } from 'node:stream'
import { test } from 'node:test'
import { createLogger } from './logger.ts'
import { createServer, loadConfig } from './server.ts'

/** A logger writing into an array of parsed lines. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = []
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { lines, logger: createLogger('info', destination) }
}

test('a failure while starting is logged with its cause before it is thrown', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'granary-start-'))
  try {
    // Nothing listens on port 1: the database cannot be opened.
    const config = loadConfig({
      GRANARY_DATA_DIR: dataDir,
      GRANARY_DATABASE_URL: 'postgres://granary@127.0.0.1:1/granary',
    })
    const { lines, logger } = capturedLogger()
    await assert.rejects(createServer(config, { logger }), { code: 'database_unavailable' })
    const line = lines.find((l) => l.msg === 'Granary could not start')
    assert.ok(line, JSON.stringify(lines))
    assert.equal(line.level, 50)
    assert.match(JSON.stringify(line.err), /database_unavailable/)
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
})

test('requests log through the same logger, redacted', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'granary-start-'))
  const { lines, logger } = capturedLogger()
  const server = await createServer(loadConfig({ GRANARY_DATA_DIR: dataDir }), { logger })
  try {
    const response = await server.app.inject({
      method: 'GET',
      url: '/healthz?signature=s3cret',
      headers: { authorization: 'Bearer gr_0123456789abcdefghijklmnop' },
    })
    assert.equal(response.statusCode, 200)
    const id = response.headers['x-request-id']
    assert.ok(lines.some((l) => l.reqId === id && l.msg === 'request completed'))
    const incoming = lines.find((l) => l.reqId === id && l.msg === 'incoming request')
    assert.deepEqual(incoming?.req, {
      method: 'GET',
      url: '/healthz?signature=[redacted]',
      host: 'localhost:80',
      remoteAddress: '127.0.0.1',
    })
    assert.doesNotMatch(JSON.stringify(lines), /s3cret|gr_0123/)
  } finally {
    await server.close()
    await rm(dataDir, { recursive: true, force: true })
  }
})
