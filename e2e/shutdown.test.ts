/**
 * A stop never hangs on one client: SIGTERM lets requests in flight finish for a grace period,
 * then cuts the connections still open. Here a client starts a large download and stops reading
 * it, so the server's answer can never finish by itself.
 */
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { test } from 'node:test'
import { Granary } from '@granary/client'
import { ADMIN_KEY, startServerProcess } from './support/server-process.ts'

test('SIGTERM stops the server although a client stopped reading a download', async () => {
  const server = await startServerProcess({ GRANARY_LOG_LEVEL: 'info' })
  const client = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY })
  await client.files.upload(new Blob([new Uint8Array(32 * 1024 * 1024)]), {
    filename: 'big.bin',
    workspaceId: 'ws_default',
  })
  const link = new URL(
    (await client.files.downloadUrl('big.bin', { workspaceId: 'ws_default' })).url,
  )
  const reader = connect(Number(link.port), link.hostname)
  await new Promise((resolve) => reader.once('connect', resolve))
  reader.write(`GET ${link.pathname}${link.search} HTTP/1.1\r\nHost: ${link.host}\r\n\r\n`)
  await new Promise((resolve) => reader.once('data', resolve))
  reader.pause() // never reads on: the server's answer stalls with the socket buffers full
  try {
    await server.stop()
    assert.match(server.output(), /cutting them/)
  } finally {
    reader.destroy()
  }
})
