/**
 * The contract every BlobStore adapter passes: `describeBlobStore('local', make)` from the
 * adapter's own test file. `make` answers a fresh, empty store (and its teardown).
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { isAppError } from '../domain/errors.ts'
import { randomId } from '../domain/ids.ts'
import type { BlobStore, MultipartSession, StoredPart } from '../domain/ports.ts'

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

    test('listBlobs answers every complete blob with its size, and nothing else', async () => {
      const kept = blobName('list/kept.vcf')
      const deleted = blobName('list/deleted.vcf')
      const refused = blobName('list/refused.vcf')
      await store.put(kept, Readable.from([Buffer.from('kept')]))
      await store.put(deleted, Readable.from([Buffer.from('gone')]))
      await store.delete(deleted)
      await assert.rejects(
        store.put(refused, chunked(Buffer.alloc(2000)), { maxSize: 1000 }),
        isCode('upload_too_large'),
      )
      const session = blobName('list/session.bam')
      const options = { size: 10, partSize: PART, contentType: 'application/octet-stream' }
      const storeUploadId = await store.createMultipart(session, options)
      await store.putPart({ blobName: session, storeUploadId }, 1, chunked(Buffer.alloc(10)), {
        size: 10,
      })
      const listed = new Map<string, { size: number; modifiedAt: Date }>()
      for await (const blob of store.listBlobs()) listed.set(blob.name, blob)
      assert.equal(listed.get(kept)?.size, 4)
      assert.ok((listed.get(kept)?.modifiedAt.getTime() ?? Number.NaN) > 0)
      for (const name of [deleted, refused, session]) assert.ok(!listed.has(name), name)
      await store.abortMultipart({ blobName: session, storeUploadId })
    })

    test('adopt moves staged bytes into the blob, hashed, and removes the staged copy', async () => {
      const bytes = randomBytes(300 * 1024)
      const name = blobName('adopted.bin')
      const staged = `${name}.staged`
      assert.equal(await store.adopt(staged, name, { exactSize: bytes.length }), undefined)
      await store.put(staged, chunked(bytes))
      const adopted = await store.adopt(staged, name, { exactSize: bytes.length })
      assert.deepEqual(adopted, { size: bytes.length, sha256: sha(bytes) })
      assert.equal(await store.stat(staged), undefined)
      assert.deepEqual(await readAll(await store.read(name)), bytes)
    })

    test('adopt of staged bytes of the wrong size -> size_mismatch, nothing kept', async () => {
      const name = blobName('short.bin')
      const staged = `${name}.staged`
      await store.put(staged, Readable.from([Buffer.from('short')]))
      await assert.rejects(store.adopt(staged, name, { exactSize: 6 }), (error) =>
        isAppError(error, 'size_mismatch'),
      )
      assert.equal(await store.stat(staged), undefined)
      assert.equal(await store.stat(name), undefined)
    })

    test('check answers when the store is reachable', async () => {
      await store.check()
    })

    describeMultipart(() => store)
  })
}

const MiB = 1024 * 1024
// S3's smallest part but the last: the contract keeps to what every store accepts.
const PART = 5 * MiB

const isCode = (code: Parameters<typeof isAppError>[1]) => (error: unknown) => {
  assert.ok(isAppError(error, code), `expected ${code}, got ${String(error)}`)
  return true
}

/** Sessions: parts in any order and in parallel, re-sent, listed, joined, aborted. */
function describeMultipart(getStore: () => BlobStore): void {
  describe('multipart sessions', () => {
    async function open(size: number, partSize = PART): Promise<MultipartSession> {
      const blobName = `ws_contract/${randomId(10)}/multi/sample.bam`
      const options = { size, partSize, contentType: 'application/octet-stream' }
      return { blobName, storeUploadId: await getStore().createMultipart(blobName, options) }
    }
    const put = (session: MultipartSession, partNumber: number, bytes: Buffer) =>
      getStore().putPart(session, partNumber, chunked(bytes), { size: bytes.length })
    const byNumber = (parts: StoredPart[]) => [...parts].sort((a, b) => a.partNumber - b.partNumber)

    test('parts out of order and in parallel, one re-sent, join byte-exact', async () => {
      const store = getStore()
      const parts = [randomBytes(PART), randomBytes(PART), randomBytes(PART)]
      const session = await open(3 * PART)
      const first = await Promise.all([
        put(session, 3, parts[2] as Buffer),
        put(session, 1, parts[0] as Buffer),
        put(session, 2, randomBytes(PART)),
      ])
      assert.deepEqual(
        first.map((part) => [part.partNumber, part.size]),
        [
          [3, PART],
          [1, PART],
          [2, PART],
        ],
      )
      assert.equal(first[0]?.sha256, sha(parts[2] as Buffer))
      const resent = await put(session, 2, parts[1] as Buffer)
      assert.equal(resent.sha256, sha(parts[1] as Buffer))
      const listed = await store.listParts(session)
      assert.deepEqual(
        listed.map((part) => [part.partNumber, part.size]),
        [
          [1, PART],
          [2, PART],
          [3, PART],
        ],
      )
      // The re-sent copy replaced the first: by its hash (local) or its ETag (S3's MD5).
      const second = listed[1] as StoredPart
      if (second.sha256 !== null) assert.equal(second.sha256, resent.sha256)
      if (second.etag !== null) assert.equal(second.etag, resent.etag)
      const whole = Buffer.concat(parts)
      const blob = await store.completeMultipart(session, listed)
      assert.equal(blob.size, whole.length)
      if (blob.sha256 !== null) assert.equal(blob.sha256, sha(whole))
      assert.equal(sha(await readAll(await store.read(session.blobName))), sha(whole))
      assert.equal((await store.stat(session.blobName))?.size, whole.length)
      await assert.rejects(store.listParts(session), isCode('upload_not_found'))
    })

    test('three parts, the last smaller: boundaries land where they belong', async () => {
      const store = getStore()
      const parts = [randomBytes(PART), randomBytes(PART), randomBytes(1234)]
      const whole = Buffer.concat(parts)
      const session = await open(whole.length)
      const stored = await Promise.all(parts.map((bytes, i) => put(session, i + 1, bytes)))
      assert.deepEqual(
        stored.map((part) => part.size),
        [PART, PART, 1234],
      )
      const blob = await store.completeMultipart(session, byNumber(stored))
      assert.equal(blob.size, whole.length)
      assert.equal(sha(await readAll(await store.read(session.blobName))), sha(whole))
      const range = { start: 2 * PART - 3, end: 2 * PART + 2 }
      const edge = await readAll(await store.read(session.blobName, { range }))
      assert.deepEqual(edge, whole.subarray(range.start, range.end + 1))
    })

    test('a part of the wrong size is refused and nothing of it is kept', async () => {
      const store = getStore()
      const size = 256 * 1024
      const session = await open(2 * size, size)
      // One byte more, arriving after exactly `size` bytes: the store must not keep the first `size`.
      const more = store.putPart(session, 1, chunked(randomBytes(size + 1)), { size })
      await assert.rejects(more, isCode('upload_too_large'))
      const fewer = store.putPart(session, 1, chunked(randomBytes(size - 1)), { size })
      await assert.rejects(fewer, isCode('upload_incomplete'))
      assert.deepEqual(await store.listParts(session), [])
      const right = await put(session, 1, randomBytes(size))
      assert.deepEqual(
        byNumber(await store.listParts(session)).map((part) => part.size),
        [right.size],
      )
      await store.abortMultipart(session)
    })

    test('an unknown session is upload_not_found', async () => {
      const session = {
        blobName: 'ws_contract/none/x.bin',
        storeUploadId: `unknown${randomId(10)}`,
      }
      await assert.rejects(getStore().listParts(session), isCode('upload_not_found'))
      await getStore().abortMultipart(session)
    })

    test('abort drops the parts; listing or completing afterwards fails', async () => {
      const store = getStore()
      const session = await open(PART + 10)
      const part = await put(session, 1, randomBytes(PART))
      await store.abortMultipart(session)
      await assert.rejects(store.listParts(session), isCode('upload_not_found'))
      await assert.rejects(store.completeMultipart(session, [part]), isCode('upload_not_found'))
      assert.equal(await store.stat(session.blobName), undefined)
      await store.abortMultipart(session)
    })
  })
}
