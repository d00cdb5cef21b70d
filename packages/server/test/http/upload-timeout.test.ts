/**
 * Issue #11, point 6: a body that stops mid-way is answered `408 upload_timeout` (JSON, with
 * `Connection: close`) once the idle timeout passes, on a real socket, and nothing is kept.
 */
import assert from 'node:assert/strict'
import { readdir } from 'node:fs/promises'
import { connect } from 'node:net'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { ADMIN_KEY, formBody, startTestServer, type TestServer } from '../support/test-server.ts'

interface RawAnswer {
  status: number
  headers: Record<string, string>
  body: string
}

/** Sends the head and part of a body, then stalls; answers what the server says before closing. */
function stalledRequest(port: number, head: string, partialBody: Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    socket.on('data', (chunk) => chunks.push(chunk))
    socket.on('error', reject)
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString()
      const [top = '', body = ''] = text.split('\r\n\r\n')
      const [statusLine = '', ...lines] = top.split('\r\n')
      const headers = Object.fromEntries(
        lines.map((line) => {
          const colon = line.indexOf(':')
          return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()]
        }),
      )
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body })
    })
    socket.write(head)
    socket.write(partialBody)
  })
}

for (const backend of backendMatrix()) {
  describe(`a stalled upload is answered 408 upload_timeout (${backend.name})`, () => {
    let server: TestServer
    let port: number
    before(async () => {
      server = await startTestServer(backend, { GRANARY_BODY_IDLE_TIMEOUT_MS: '1000' })
      await server.app.listen({ port: 0, host: '127.0.0.1' })
      const address = server.app.server.address()
      port = typeof address === 'object' && address ? address.port : 0
    })
    after(() => server.close())

    const assertTimedOut = async (answer: RawAnswer, key: string) => {
      assert.equal(answer.status, 408, answer.body)
      assert.equal(answer.headers.connection, 'close')
      assert.match(answer.headers['content-type'] ?? '', /^application\/json/)
      const error = JSON.parse(answer.body).error
      assert.equal(error.code, 'upload_timeout')
      assert.equal(error.request_id, answer.headers['x-request-id'])
      const listed = await server.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default' },
      })
      assert.ok(!listed.body.includes(key), 'a stalled upload was listed')
      if (backend.name.endsWith('+local')) {
        // The body is destroyed once the answer is out; its temp file goes right after.
        const tmp = join(server.dataDir, 'tmp')
        for (let i = 0; i < 100 && (await readdir(tmp)).length > 0; i++) {
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
        assert.deepEqual(await readdir(tmp), [], 'a temp file was kept')
      }
    }

    test('form upload that stops mid-file', async () => {
      const form = formBody(
        { workspace_id: 'ws_default' },
        { filename: 'stalled.bin', content: Buffer.alloc(100_000, 1) },
      )
      const head =
        'POST /v1/files/upload HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
        `Authorization: Bearer ${ADMIN_KEY}\r\nContent-Type: ${form.headers['content-type']}\r\n` +
        `Content-Length: ${form.body.length}\r\n\r\n`
      await assertTimedOut(
        await stalledRequest(port, head, form.body.subarray(0, 30_000)),
        'stalled.bin',
      )
    })

    // On S3 the store itself receives these PUTs.
    const localOnly = backend.name.endsWith('+local') ? test : () => {}
    localOnly('large-file PUT to Granary that stops mid-way', async () => {
      const started = await server.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: { workspace_id: 'ws_default', filename: 'stalled-put.bin', size: 100_000 },
      })
      const info = started.json()
      const url = new URL(info.uploadUrl)
      const head =
        `PUT ${url.pathname}${url.search} HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
        `Content-Type: ${info.headers['Content-Type']}\r\nContent-Length: 100000\r\n\r\n`
      const answer = await stalledRequest(port, head, Buffer.alloc(30_000, 2))
      await assertTimedOut(answer, 'stalled-put.bin')
    })
  })
}
