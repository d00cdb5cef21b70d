import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fakeFetch, json } from '../test/fake-fetch.ts'
import type { Progress } from './file-options.ts'
import { Granary } from './granary.ts'

let dir = ''
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'granary-download-'))
})
after(() => rm(dir, { recursive: true, force: true }))

/** A server whose signed URL answers with `body` (a stream may fail part-way). */
function client(body: () => BodyInit, headers: Record<string, string> = {}) {
  const fetch = fakeFetch((req) =>
    req.url.pathname === '/v1/files/download'
      ? json({ url: 'http://blobs.test/object?sig=1', expires_at: 'T' })
      : new Response(body(), { headers }),
  )
  return new Granary({ baseUrl: 'http://granary.test', fetch, workspaceId: 'ws_a' })
}

function failingStream(): ReadableStream<Uint8Array> {
  let sent = false
  return new ReadableStream({
    pull(controller) {
      if (sent) return controller.error(new Error('connection reset'))
      sent = true
      controller.enqueue(new TextEncoder().encode('partial'))
    },
  })
}

describe('files.download', () => {
  it('saves into a folder under the file name and reports progress', async () => {
    const target = join(dir, 'into-folder')
    await mkdir(target)
    const progress: Progress[] = []
    const local = await client(() => 'hello', { 'content-length': '5' }).files.download(
      'raw/sample.vcf',
      { dest: target, onProgress: (p) => progress.push(p) },
    )
    assert.equal(local, join(target, 'sample.vcf'))
    assert.equal(await readFile(local, 'utf8'), 'hello')
    assert.deepEqual(progress.at(-1), { loaded: 5, total: 5 })
    assert.deepEqual(await readdir(target), ['sample.vcf'])
  })

  it('creates a folder given with a trailing slash', async () => {
    const local = await client(() => 'x').files.download('a/b.txt', { dest: `${dir}/new/out/` })
    assert.equal(local, join(dir, 'new', 'out', 'b.txt'))
  })

  it('saves to a file path', async () => {
    const local = await client(() => 'data').files.download('b.txt', {
      dest: join(dir, 'renamed.txt'),
    })
    assert.equal(local, join(dir, 'renamed.txt'))
    assert.equal(await readFile(local, 'utf8'), 'data')
  })

  it('creates the folders of a file path', async () => {
    const dest = join(dir, 'deep', 'er', 'f.txt')
    assert.equal(await client(() => 'f').files.download('f.txt', { dest }), dest)
    assert.equal(await readFile(dest, 'utf8'), 'f')
  })

  it('leaves neither the file nor a temp file when the body fails', async () => {
    const target = join(dir, 'failing')
    await mkdir(target)
    await assert.rejects(
      client(failingStream).files.download('c.txt', { dest: target }),
      /connection reset/,
    )
    assert.deepEqual(await readdir(target), [])
  })

  it('fails on a body shorter than its Content-Length, leaving nothing', async () => {
    const target = join(dir, 'short')
    await mkdir(target)
    const short = () =>
      new ReadableStream({
        start(controller) {
          controller.enqueue(new Uint8Array(3))
          controller.close()
        },
      })
    await assert.rejects(
      client(short, { 'content-length': '10' }).files.download('d.bin', { dest: target }),
      /expected 10 bytes, got 3/,
    )
    assert.deepEqual(await readdir(target), [])
  })

  it('keeps an existing file when a replacement download fails', async () => {
    const target = join(dir, 'keep')
    await mkdir(target)
    await client(() => 'old').files.download('e.txt', { dest: target })
    await assert.rejects(client(failingStream).files.download('e.txt', { dest: target }))
    assert.equal(await readFile(join(target, 'e.txt'), 'utf8'), 'old')
    assert.deepEqual(await readdir(target), ['e.txt'])
  })
})
