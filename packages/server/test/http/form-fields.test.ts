/**
 * Issue #11, point 2: the form upload takes its text fields before the one `file` part. A field
 * after the file, a second file part, an unknown or a repeated field is 400 invalid_request
 * naming it, and nothing is stored: no new version, no blob left behind.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { assertError } from '../support/http-assertions.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

type Part = { name: string; value: string } | { name: string; filename: string; content: string }

/** A multipart body with its parts in exactly this order. */
function orderedForm(parts: Part[]) {
  const boundary = `----granary${Math.random().toString(36).slice(2)}`
  const text = parts.map((part) =>
    'filename' in part
      ? `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\nContent-Type: text/plain\r\n\r\n${part.content}\r\n`
      : `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`,
  )
  return {
    body: Buffer.from(`${text.join('')}--${boundary}--\r\n`),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }
}

for (const backend of backendMatrix()) {
  describe(`Form fields in order, or nothing stored (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend)
      const first = await uploadForm(server, { filename: 'keep.txt', content: 'original' })
      assert.equal(first.statusCode, 201, first.body)
    })
    after(() => server.close())

    const post = (parts: Part[]) => {
      const form = orderedForm(parts)
      return server.request({
        method: 'POST',
        url: '/v1/files/upload',
        headers: form.headers,
        body: form.body,
      })
    }
    const blobCount = async () => {
      let count = 0
      for await (const _ of server.server.services.blobs.listBlobs()) count++
      return count
    }
    const listedKeys = async () => {
      const response = await server.request({
        method: 'GET',
        url: '/v1/files',
        query: { workspace_id: 'ws_default' },
      })
      return response.json().files.map((f: { key: string }) => f.key)
    }
    const downloaded = async (key: string) => {
      const response = await server.request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key },
      })
      assert.equal(response.statusCode, 200, response.body)
      return (await server.fetchSigned(response.json().url)).body.toString()
    }
    const ws = { name: 'workspace_id', value: 'ws_default' }

    /** Sends the form, expects 400 naming `field`, and that nothing changed. */
    async function refused(parts: Part[], field: string) {
      const blobs = await blobCount()
      const keys = await listedKeys()
      const error = assertError(await post(parts), 400, 'invalid_request', field)
      assert.match(error.message, new RegExp(`'${field}'`))
      assert.deepEqual(await listedKeys(), keys)
      assert.equal(await blobCount(), blobs, 'a blob was left behind')
      assert.equal(await downloaded('keep.txt'), 'original')
    }

    test('overwrite=false after the file part: 400, the existing file is not replaced', async () => {
      await refused(
        [
          ws,
          { name: 'file', filename: 'keep.txt', content: 'replaced' },
          { name: 'overwrite', value: 'false' },
        ],
        'overwrite',
      )
    })

    test('a description after the file part: 400, nothing stored', async () => {
      await refused(
        [
          ws,
          { name: 'file', filename: 'new.txt', content: 'n' },
          { name: 'description', value: 'd' },
        ],
        'description',
      )
    })

    test('a second file part: 400 naming it, nothing stored', async () => {
      await refused(
        [
          ws,
          { name: 'file', filename: 'one.txt', content: '1' },
          { name: 'file2', filename: 'two.txt', content: '2' },
        ],
        'file2',
      )
      await refused(
        [
          ws,
          { name: 'file', filename: 'one.txt', content: '1' },
          { name: 'file', filename: 'two.txt', content: '2' },
        ],
        'file',
      )
    })

    test('an unknown field (pth=raw/): 400 naming it, nothing stored', async () => {
      await refused(
        [ws, { name: 'pth', value: 'raw/' }, { name: 'file', filename: 'p.txt', content: 'p' }],
        'pth',
      )
    })

    test('a repeated field: 400 naming it, nothing stored', async () => {
      await refused(
        [
          ws,
          { name: 'path', value: 'a/' },
          { name: 'path', value: 'b/' },
          { name: 'file', filename: 'r.txt', content: 'r' },
        ],
        'path',
      )
    })

    test('fields before the file part are all honoured', async () => {
      const response = await post([
        ws,
        { name: 'path', value: 'raw/' },
        { name: 'description', value: 'trio' },
        { name: 'overwrite', value: 'false' },
        { name: 'file', filename: 'ok.txt', content: 'ok' },
      ])
      assert.equal(response.statusCode, 201, response.body)
      assert.equal(response.json().key, 'raw/ok.txt')
      assert.equal(response.json().description, 'trio')
      assert.equal(await downloaded('raw/ok.txt'), 'ok')
    })
  })
}
