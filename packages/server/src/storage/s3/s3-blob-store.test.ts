import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { ListMultipartUploadsCommand } from '@aws-sdk/client-s3'
import type { ErrorCode } from '@granary/protocol'
import { requires } from '../../../test/support/requires.ts'
import { emptyPrefix, s3TestConfig } from '../../../test/support/s3-test-env.ts'
import { isAppError } from '../../domain/errors.ts'
import { describeBlobStore } from '../blob-store-contract.ts'
import { S3BlobStore } from './s3-blob-store.ts'
import { MIN_PART_SIZE } from './s3-client.ts'

const MiB = 1024 * 1024

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Yields `bytes` in 64 KiB chunks, like a network body. */
function bodyOf(bytes: Buffer): Readable {
  return Readable.from(
    (function* () {
      for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024)
    })(),
  )
}

async function text(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function rejectsWith(code: ErrorCode) {
  return (error: unknown) => {
    assert.ok(isAppError(error, code), `expected ${code}, got ${String(error)}`)
    return true
  }
}

const available = requires('s3')

describe('S3 adapter', available, () => {
  describeBlobStore('s3', async () => {
    const store = await S3BlobStore.open(s3TestConfig())
    return {
      store,
      teardown: async () => {
        await emptyPrefix(store)
        await store.close()
      },
    }
  })
})

describe('S3BlobStore against the test S3 server', available, () => {
  let store: S3BlobStore

  before(async () => {
    store = await S3BlobStore.open(s3TestConfig({ partSize: MIN_PART_SIZE }))
  })
  after(async () => {
    await emptyPrefix(store)
    await store.close()
  })

  async function openMultipartUploads(): Promise<number> {
    const { bucket, prefix } = store.config
    const listing = await store.client.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: prefix }),
    )
    return listing.Uploads?.length ?? 0
  }

  test('a multipart put streams, hashes and reads back ranges', async () => {
    const bytes = randomBytes(12 * MiB + 123)
    const stored = await store.put('ws/v1/big.bam', bodyOf(bytes), {
      maxSize: 20 * MiB,
    })
    assert.deepEqual(stored, { size: bytes.length, sha256: sha256(bytes) })
    assert.equal((await store.stat('ws/v1/big.bam'))?.size, bytes.length)
    const range = { start: 5 * MiB - 10, end: 5 * MiB + 9 }
    assert.deepEqual(
      await text(await store.read('ws/v1/big.bam', { range })),
      bytes.subarray(range.start, range.end + 1),
    )
  })

  test('names map to <prefix><name> and keep unicode and spaces', async () => {
    const name = 'ws/v2/résultats/échantillon 1.vcf'
    await store.put(name, bodyOf(Buffer.from('##fileformat=VCFv4.2\n')), {
      contentType: 'text/x-vcf',
    })
    const head = await store.stat(name)
    assert.equal(head?.size, 21)
    assert.equal(head?.sha256, null, 'RGW and multipart AWS uploads give no full-object SHA-256')
  })

  test('an oversized multipart put is aborted and leaves nothing', async () => {
    const bytes = randomBytes(11 * MiB)
    const put = store.put('ws/v3/too-big', bodyOf(bytes), {
      maxSize: 7 * MiB,
      tooLargeMessage: 'use the large-file flow',
    })
    await assert.rejects(
      put,
      (error: unknown) =>
        rejectsWith('upload_too_large')(error) &&
        (error as Error).message === 'use the large-file flow',
    )
    assert.equal(await store.stat('ws/v3/too-big'), undefined)
    assert.equal(await openMultipartUploads(), 0)
  })

  test('an oversized single-part put leaves nothing', async () => {
    const put = store.put('ws/v4/small', bodyOf(Buffer.alloc(1001)), {
      exactSize: 1000,
    })
    await assert.rejects(put, rejectsWith('upload_too_large'))
    assert.equal(await store.stat('ws/v4/small'), undefined)
  })

  test('a short body with exactSize is upload_incomplete and leaves nothing', async () => {
    const put = store.put('ws/v5/short', bodyOf(randomBytes(6 * MiB)), {
      exactSize: 8 * MiB,
    })
    await assert.rejects(put, rejectsWith('upload_incomplete'))
    assert.equal(await store.stat('ws/v5/short'), undefined)
    assert.equal(await openMultipartUploads(), 0)
  })

  test('a body that fails mid-way aborts the upload', async () => {
    const failing = Readable.from(
      (async function* () {
        yield randomBytes(6 * MiB)
        throw new Error('client went away')
      })(),
    )
    await assert.rejects(store.put('ws/v6/broken', failing), /client went away/)
    assert.equal(await store.stat('ws/v6/broken'), undefined)
    assert.equal(await openMultipartUploads(), 0)
  })

  test('an aborted put leaves nothing', async () => {
    const controller = new AbortController()
    const slow = Readable.from(
      (async function* () {
        yield randomBytes(6 * MiB)
        controller.abort()
        yield randomBytes(MiB)
      })(),
    )
    await assert.rejects(store.put('ws/v7/aborted', slow, { signal: controller.signal }), {
      name: 'AbortError',
    })
    assert.equal(await store.stat('ws/v7/aborted'), undefined)
    assert.equal(await openMultipartUploads(), 0)
  })

  test('a second put of the same name is upload_already_received', async () => {
    await store.put('ws/v8/once', bodyOf(Buffer.from('one')))
    await assert.rejects(
      store.put('ws/v8/once', bodyOf(Buffer.from('two'))),
      rejectsWith('upload_already_received'),
    )
    assert.deepEqual(await text(await store.read('ws/v8/once')), Buffer.from('one'))
  })

  test('missing blobs: stat undefined, read file_not_found, delete is fine', async () => {
    assert.equal(await store.stat('ws/none/x'), undefined)
    await assert.rejects(store.read('ws/none/x'), rejectsWith('file_not_found'))
    await store.delete('ws/none/x')
  })

  test('a range past the end is range_not_satisfiable', async () => {
    await store.put('ws/v9/tiny', bodyOf(Buffer.from('tiny')))
    await assert.rejects(
      store.read('ws/v9/tiny', { range: { start: 10, end: 20 } }),
      rejectsWith('range_not_satisfiable'),
    )
  })

  test('a missing bucket is storage_unavailable, never file_not_found', async () => {
    await store.check()
    const other = await S3BlobStore.open(s3TestConfig({ bucket: 'granary-no-such-bucket' }))
    await assert.rejects(other.check(), rejectsWith('storage_unavailable'))
    await assert.rejects(other.read('x'), rejectsWith('storage_unavailable'))
    await assert.rejects(other.delete('x'), rejectsWith('storage_unavailable'))
    const put = other.put('x', bodyOf(Buffer.from('x')))
    await assert.rejects(put, rejectsWith('storage_unavailable'))
    await other.close()
  })

  test('bad credentials are storage_unavailable, not a crash', async () => {
    const config = s3TestConfig({
      credentials: { accessKeyId: 'WRONG', secretAccessKey: 'wrong' },
    })
    const other = await S3BlobStore.open(config)
    await assert.rejects(other.check(), rejectsWith('storage_unavailable'))
    await assert.rejects(
      other.put('ws/x/y', bodyOf(Buffer.from('x'))),
      rejectsWith('storage_unavailable'),
    )
    await other.close()
  })
})
