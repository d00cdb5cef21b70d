/**
 * The contract every BlobStore adapter passes: `describeBlobStore('local', make)` from the
 * adapter's own test file. `make` answers a fresh, empty store (and its teardown).
 */
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { isAppError } from '../domain/errors.ts'
import { randomId } from '../domain/ids.ts'
import type { BlobStore } from '../domain/ports.ts'

export interface BlobStoreFixture {
  store: BlobStore
  teardown(): Promise<void>
}

const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** A body delivered in small chunks, as a network would. */
function chunked(bytes: Buffer, size = 64 * 1024): Readable {
  return Readable.from(
    (function* () {
      for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size)
    })(),
  )
}

export function describeBlobStore(name: string, make: () => Promise<BlobStoreFixture>): void {
  describe(`BlobStore contract: ${name}`, () => {
    let fixture: BlobStoreFixture
    let store: BlobStore
    const blobName = (key = 'raw/sample.vcf') => `ws_contract/${randomId(10)}/${key}`
    before(async () => {
      fixture = await make()
      store = fixture.store
    })
    after(() => fixture.teardown())

    test('put streams the bytes and answers size and SHA-256', async () => {
      const bytes = Buffer.from('##fileformat=VCFv4.2\n'.repeat(20_000))
      const name = blobName()
      const stored = await store.put(name, chunked(bytes))
      assert.equal(stored.size, bytes.length)
      assert.equal(stored.sha256, sha(bytes))
      assert.deepEqual(await readAll(await store.read(name)), bytes)
      assert.equal((await store.stat(name))?.size, bytes.length)
    })

    test('an empty blob is a blob', async () => {
      const name = blobName('empty.txt')
      const stored = await store.put(name, Readable.from([]))
      assert.equal(stored.size, 0)
      assert.equal(stored.sha256, sha(Buffer.alloc(0)))
      assert.equal((await store.stat(name))?.size, 0)
    })

    test('read honours a byte range', async () => {
      const bytes = Buffer.from('0123456789abcdef')
      const name = blobName()
      await store.put(name, Readable.from([bytes]))
      const part = await readAll(await store.read(name, { range: { start: 3, end: 7 } }))
      assert.equal(part.toString(), '34567')
    })

    test('maxSize: an oversized body is refused and leaves nothing', async () => {
      const name = blobName()
      await assert.rejects(
        store.put(name, chunked(Buffer.alloc(300_000)), { maxSize: 200_000 }),
        (error) => isAppError(error, 'upload_too_large'),
      )
      assert.equal(await store.stat(name), undefined)
    })

    test('exactSize: more bytes -> upload_too_large, fewer -> upload_incomplete, nothing kept', async () => {
      const more = blobName()
      await assert.rejects(
        store.put(more, chunked(Buffer.alloc(1001)), { exactSize: 1000 }),
        (error) => isAppError(error, 'upload_too_large'),
      )
      assert.equal(await store.stat(more), undefined)
      const fewer = blobName()
      await assert.rejects(
        store.put(fewer, chunked(Buffer.alloc(999)), { exactSize: 1000 }),
        (error) => isAppError(error, 'upload_incomplete'),
      )
      assert.equal(await store.stat(fewer), undefined)
      const exact = blobName()
      assert.equal(
        (await store.put(exact, chunked(Buffer.alloc(1000)), { exactSize: 1000 })).size,
        1000,
      )
    })

    test('a body that fails midway leaves nothing', async () => {
      const name = blobName()
      let reads = 0
      const failing = new Readable({
        read() {
          if (reads++ < 3) this.push(Buffer.alloc(64 * 1024))
          else this.destroy(new Error('connection reset'))
        },
      })
      await assert.rejects(store.put(name, failing))
      assert.equal(await store.stat(name), undefined)
    })

    test('a blob is written once: a second put of the name -> upload_already_received', async () => {
      const name = blobName()
      await store.put(name, Readable.from([Buffer.from('first')]))
      await assert.rejects(store.put(name, Readable.from([Buffer.from('second')])), (error) =>
        isAppError(error, 'upload_already_received'),
      )
      assert.equal((await readAll(await store.read(name))).toString(), 'first')
    })

    test('awkward keys round-trip', async () => {
      for (const key of [
        'a b/it’s "quoted" %20 #1 ?x +y.vcf',
        'données/échantillon.vcf',
        '基因组/样本.bam',
      ]) {
        const name = blobName(key)
        await store.put(name, Readable.from([Buffer.from(key)]))
        assert.equal((await readAll(await store.read(name))).toString(), key)
      }
    })

    test('delete removes the blob; deleting a missing blob is fine', async () => {
      const name = blobName()
      await store.put(name, Readable.from([Buffer.from('bye')]))
      await store.delete(name)
      assert.equal(await store.stat(name), undefined)
      await store.delete(name)
      await assert.rejects(store.read(name), (error) => isAppError(error, 'file_not_found'))
    })

    test('check answers when the store is reachable', async () => {
      await store.check()
    })
  })
}
