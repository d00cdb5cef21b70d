/**
 * Issue #11, point 4: an error decided while most of a large body is still unsent reaches the
 * client. The client here sends as curl does: it keeps writing until an answer arrives, then
 * stops. Before the fix the server read 16 MiB, reset the connection, and the answer was lost.
 */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { ADMIN_KEY, startTestServer, type TestServer } from '../support/test-server.ts'

const MiB = 1024 * 1024
/** Declared by every request: far more than the 16 MiB the server used to drain. */
const DECLARED = 100 * MiB
/** The client gives up sending after this much without an answer. */
const SEND_AT_MOST = 40 * MiB

interface Answer {
  status: number
  headers: string
  body: string
  /** Body bytes the client had written when the answer was complete. */
  sent: number
}

/** Writes `head`, then body bytes until a whole answer arrives; a reset rejects. */
function sendUntilAnswered(port: number, head: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1')
    let received = ''
    let sent = 0
    let answered = false
    const chunk = Buffer.alloc(256 * 1024, 0x61)
    const pump = () => {
      while (!answered && sent < SEND_AT_MOST) {
        sent += chunk.length
        if (!socket.write(chunk)) return void socket.once('drain', pump)
      }
    }
    socket.on('data', (data: Buffer) => {
      received += data.toString('latin1')
      const end = received.indexOf('\r\n\r\n')
      if (end < 0) return
      const headers = received.slice(0, end)
      const length = Number(headers.match(/content-length: (\d+)/i)?.[1] ?? 0)
      if (received.length < end + 4 + length) return
      answered = true
      socket.destroy()
      const body = received.slice(end + 4, end + 4 + length)
      resolve({ status: Number(headers.split(' ')[1]), headers, body, sent })
    })
    socket.once('error', (error) => {
      if (!answered) reject(error)
    })
    socket.once('close', () => {
      if (!answered) reject(new Error(`closed without an answer after ${sent} bytes sent`))
    })
    socket.once('connect', () => {
      socket.write(head)
      pump()
    })
  })
}

function formHead(path: string, key: string, length = DECLARED): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n` +
    `Content-Type: multipart/form-data; boundary=x\r\nContent-Length: ${length}\r\n\r\n`
  )
}

function assertAnswered(answer: Answer, status: number, code: string): void {
  assert.equal(answer.status, status, answer.headers)
  assert.match(answer.headers, /connection: close/i)
  assert.equal(JSON.parse(answer.body).error.code, code)
}

for (const backend of backendMatrix()) {
  describe(`errors on large bodies reach the client (${backend.name})`, () => {
    let server: TestServer
    let port: number
    before(async () => {
      server = await startTestServer(backend)
      await server.app.listen({ port: 0, host: '127.0.0.1' })
      const address = server.app.server.address()
      port = typeof address === 'object' && address ? address.port : 0
    })
    after(() => server.close())

    test('a wrong key on a 100 MB form upload: 401 with its JSON, not a reset', async () => {
      const answer = await sendUntilAnswered(port, formHead('/v1/files/upload', 'gr_wrong'))
      assertAnswered(answer, 401, 'unauthenticated')
    })

    test('a read-only key on a 100 MB form upload: 403 with its JSON', async () => {
      const readOnly = await server.key(['files:read'], ['ws_default'])
      const answer = await sendUntilAnswered(port, formHead('/v1/files/upload', readOnly))
      assertAnswered(answer, 403, 'insufficient_scope')
    })

    test('a 600 MB form upload: 413 before any of the body is read', async () => {
      const answer = await sendUntilAnswered(
        port,
        formHead('/v1/files/upload', ADMIN_KEY, 600 * MiB),
      )
      assertAnswered(answer, 413, 'upload_too_large')
    })

    test('the connection is still usable for the next client: the server keeps answering', async () => {
      const health = await fetch(`http://127.0.0.1:${port}/healthz`)
      assert.equal(health.status, 200)
    })
  })
}
