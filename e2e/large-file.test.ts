/**
 * Several hundred MB through the large-file flow against a real server process: the bytes arrive
 * intact and the server's memory stays flat. Then a crash mid-upload: the old version survives
 * and the restart leaves no temp files.
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Granary } from '@granary/client'
import { ADMIN_KEY, type ServerProcess, startServerProcess } from './support/server-process.ts'

const MiB = 1024 * 1024
const SIZE = 400 * MiB

/** Deterministic pseudo-random bytes, generated as they are sent: nothing is held whole. */
function generated(
  size: number,
  onChunk: (chunk: Uint8Array) => void,
  delayMs = 0,
): ReadableStream<Uint8Array> {
  let sent = 0
  let seed = 1
  return new ReadableStream({
    async pull(controller) {
      if (sent >= size) return controller.close()
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs))
      const chunk = Buffer.allocUnsafe(Math.min(MiB, size - sent))
      for (let i = 0; i < chunk.length; i += 4) {
        seed = (seed * 1103515245 + 12345) >>> 0
        chunk.writeUInt32LE(seed, i)
      }
      sent += chunk.length
      onChunk(chunk)
      controller.enqueue(chunk)
    },
  })
}

describe('large-file flow on a real server', () => {
  let server: ServerProcess
  let client: Granary
  before(async () => {
    server = await startServerProcess()
    client = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' })
  })
  after(() => server.stop())

  test(`${SIZE / MiB} MiB arrive intact while the server's peak memory stays flat`, async () => {
    await client.files.upload(new Blob(['warm-up']), { filename: 'warm.txt' })
    const baseline = await server.peakRss()
    const hash = createHash('sha256')
    const info = await client.files.uploadLarge({
      filename: 'genome.bam',
      size: SIZE,
      path: 'bam/',
    })
    const response = await fetch(info.uploadUrl, {
      method: 'PUT',
      headers: { ...info.headers, 'content-length': String(SIZE) },
      body: generated(SIZE, (chunk) => hash.update(chunk)),
      duplex: 'half',
    } as RequestInit)
    assert.equal(response.status, 200, await response.text())
    const file = await client.files.uploadConfirm({
      fileKey: info.fileKey,
      size: SIZE,
      uploadId: info.uploadId,
    })
    const expected = hash.digest('hex')
    assert.equal(file.sha256, expected)
    const download = await client.files.downloadStream(file.key)
    const check = createHash('sha256')
    for await (const chunk of download.body as unknown as AsyncIterable<Uint8Array>)
      check.update(chunk)
    assert.equal(check.digest('hex'), expected)
    const growth = (await server.peakRss()) - baseline
    assert.ok(
      growth < 64 * MiB,
      `peak RSS grew by ${(growth / MiB).toFixed(1)} MiB for a ${SIZE / MiB} MiB upload`,
    )
  })

  test('a crash mid-upload keeps the old version, and the restart removes the temp file', async () => {
    const old = await client.files.upload(new Blob(['version 1']), {
      path: 'crash/',
      filename: 'sample.bam',
    })
    const info = await client.files.uploadLarge({
      filename: 'sample.bam',
      size: 64 * MiB,
      path: 'crash/',
    })
    let sent = 0
    const upload = fetch(info.uploadUrl, {
      method: 'PUT',
      headers: info.headers,
      body: generated(
        64 * MiB,
        (chunk) => {
          sent += chunk.length
        },
        20,
      ),
      duplex: 'half',
    } as RequestInit).catch(() => undefined)
    while (sent < 8 * MiB) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(
      (await readdir(join(server.dataDir, 'tmp'))).length,
      1,
      'the upload is being written',
    )
    await server.kill()
    await upload
    await server.restart()
    assert.deepEqual(await readdir(join(server.dataDir, 'tmp')), [])
    const listed = await client.files.list({ prefix: 'crash/' })
    assert.deepEqual(
      listed.files.map((f) => [f.key, f.sha256]),
      [['crash/sample.bam', old.sha256]],
    )
    const stream = await client.files.downloadStream('crash/sample.bam')
    assert.equal(await new Response(stream.body).text(), 'version 1')
    const confirm = client.files.uploadConfirm({
      fileKey: info.fileKey,
      size: 64 * MiB,
      uploadId: info.uploadId,
    })
    await assert.rejects(confirm, { code: 'upload_not_received' })
  })
})
