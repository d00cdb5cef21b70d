/** How the adapter behaves when S3 is down, hung or throttling; needs no S3 server. */
import assert from 'node:assert/strict'
import { createServer as createHttpServer } from 'node:http'
import { type AddressInfo, createServer, type Server } from 'node:net'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import type { ErrorCode } from '@granary/protocol'
import { isAppError } from '../../domain/errors.ts'
import { S3BlobStore } from './s3-blob-store.ts'
import type { S3StoreConfig } from './s3-client.ts'

function rejectsWith(code: ErrorCode) {
  return (error: unknown) => {
    assert.ok(isAppError(error, code), `expected ${code}, got ${String(error)}`)
    return true
  }
}

function configFor(port: number, overrides: Partial<S3StoreConfig> = {}): S3StoreConfig {
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'b',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
    ...overrides,
  }
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}

/** Every call of the port, each expected to fail with storage_unavailable. */
async function assertAllUnavailable(store: S3BlobStore): Promise<void> {
  await assert.rejects(store.check(), rejectsWith('storage_unavailable'))
  await assert.rejects(store.stat('x'), rejectsWith('storage_unavailable'))
  await assert.rejects(store.read('x'), rejectsWith('storage_unavailable'))
  await assert.rejects(store.delete('x'), rejectsWith('storage_unavailable'))
  const put = store.put('x', Readable.from([Buffer.from('x')]))
  await assert.rejects(put, rejectsWith('storage_unavailable'))
}

describe('S3BlobStore when S3 fails', () => {
  const servers: Array<{ close(): unknown }> = []
  after(() => {
    for (const server of servers) server.close()
  })

  test('connection refused: storage_unavailable at once', async () => {
    const probe = createServer()
    const port = await listen(probe)
    probe.close()
    const store = await S3BlobStore.open(configFor(port))
    const began = Date.now()
    await assertAllUnavailable(store)
    assert.ok(Date.now() - began < 5000, 'no hang')
    await store.close()
  })

  test('a store that accepts but never answers: storage_unavailable after the idle timeout', async () => {
    const sockets: Array<{ destroy(): void }> = []
    const hung = createServer((socket) => sockets.push(socket))
    servers.push({
      close: () => {
        for (const socket of sockets) socket.destroy()
        hung.close()
      },
    })
    const store = await S3BlobStore.open(configFor(await listen(hung), { idleTimeoutMs: 300 }))
    const began = Date.now()
    await assert.rejects(store.check(), rejectsWith('storage_unavailable'))
    assert.ok(Date.now() - began < 3000, `took ${Date.now() - began} ms`)
    await store.close()
  })

  describe('throttling (503 SlowDown)', () => {
    let requests = 0
    let port: number
    before(async () => {
      const throttling = createHttpServer((request, response) => {
        requests++
        request.resume()
        response.writeHead(503, { 'Content-Type': 'application/xml' })
        response.end(
          '<?xml version="1.0"?><Error><Code>SlowDown</Code><Message>Reduce your request rate.</Message></Error>',
        )
      })
      servers.push(throttling)
      port = await listen(throttling)
    })

    test('maps to storage_unavailable after the SDK retried', async () => {
      const store = await S3BlobStore.open(configFor(port, { maxAttempts: 2 }))
      await assertAllUnavailable(store)
      assert.ok(requests > 5, 'the SDK retried throttled requests')
      await store.close()
    })
  })
})
