/**
 * Issue #11, point 5: `Expect: 100-continue` is answered `100 Continue` only after the key, its
 * scope and the declared size pass; otherwise the final status comes at once (real sockets).
 */
import assert from 'node:assert/strict'
import { connect, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { ADMIN_KEY, formBody, startTestServer, type TestServer } from '../support/test-server.ts'

/** Reads from the socket until a whole response head (and, for a final status, its body) arrived. */
function nextResponse(socket: Socket): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let text = ''
    const onData = (chunk: Buffer) => {
      text += chunk.toString()
      const end = text.indexOf('\r\n\r\n')
      if (end < 0) return
      const status = Number(text.split(' ')[1])
      const length = Number(text.slice(0, end).match(/content-length: (\d+)/i)?.[1] ?? 0)
      if (status !== 100 && text.length < end + 4 + length) return
      socket.off('data', onData)
      resolve({ status, text })
    }
    socket.on('data', onData)
    socket.once('error', reject)
  })
}

for (const backend of backendMatrix()) {
  describe(`Expect: 100-continue only after the checks pass (${backend.name})`, () => {
    let server: TestServer
    let port: number
    let readOnly: string
    before(async () => {
      server = await startTestServer(backend)
      readOnly = await server.key(['files:read'], ['ws_default'])
      await server.app.listen({ port: 0, host: '127.0.0.1' })
      const address = server.app.server.address()
      port = typeof address === 'object' && address ? address.port : 0
    })
    after(() => server.close())

    const open = async (key: string, length: number, contentType: string) => {
      const socket = connect(port, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      socket.write(
        `POST /v1/files/upload?workspace_id=ws_default HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n` +
          `Content-Type: ${contentType}\r\nContent-Length: ${length}\r\nExpect: 100-continue\r\n\r\n`,
      )
      return socket
    }
    const refusedAtOnce = async (key: string, length: number, status: number, code: string) => {
      const socket = await open(key, length, 'multipart/form-data; boundary=x')
      const answer = await nextResponse(socket)
      socket.destroy()
      assert.equal(answer.status, status, answer.text)
      assert.match(answer.text, /connection: close/i)
      assert.equal(
        JSON.parse(answer.text.slice(answer.text.indexOf('\r\n\r\n') + 4)).error.code,
        code,
      )
    }

    test('a wrong key declaring 100 MB: 401 at once, never invited to send', async () => {
      await refusedAtOnce('gr_wrong', 100 * 1024 * 1024, 401, 'unauthenticated')
    })

    test('a read-only key: 403 at once', async () => {
      await refusedAtOnce(readOnly, 100 * 1024 * 1024, 403, 'insufficient_scope')
    })

    test('a declared 600 MB form: 413 at once', async () => {
      await refusedAtOnce(ADMIN_KEY, 600 * 1024 * 1024, 413, 'upload_too_large')
    })

    test('a good request is invited, sends its body and is stored', async () => {
      const form = formBody({}, { filename: 'invited.txt', content: 'hello' })
      const socket = await open(ADMIN_KEY, form.body.length, form.headers['content-type'] ?? '')
      const invitation = await nextResponse(socket)
      assert.equal(invitation.status, 100, invitation.text)
      const final = nextResponse(socket)
      socket.write(form.body)
      const answer = await final
      socket.destroy()
      assert.equal(answer.status, 201, answer.text)
    })
  })
}
