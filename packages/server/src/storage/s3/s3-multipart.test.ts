/** S3-only multipart behaviour: presigned part URLs, ETags, pagination, and the store's odd answers. */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import type { ErrorCode } from '@granary/protocol'
import { requires } from '../../../test/support/requires.ts'
import { emptyPrefix, s3TestConfig } from '../../../test/support/s3-test-env.ts'
import { systemClock } from '../../clocks.ts'
import { isAppError } from '../../domain/errors.ts'
import type { MultipartSession } from '../../domain/ports.ts'
import { S3BlobStore } from './s3-blob-store.ts'
import { s3ErrorOf } from './s3-errors.ts'
import { S3TransferUrls } from './s3-transfer-urls.ts'

const MiB = 1024 * 1024
const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex')

function rejectsWith(code: ErrorCode) {
  return (error: unknown) => {
    assert.ok(isAppError(error, code), `expected ${code}, got ${String(error)}`)
    return true
  }
}

describe('S3 multipart against the test S3 server', requires('s3'), () => {
  let store: S3BlobStore
  let urls: S3TransferUrls

  before(async () => {
    store = await S3BlobStore.open(s3TestConfig())
    urls = new S3TransferUrls(store.client, store.config, systemClock)
  })
  after(async () => {
    await emptyPrefix(store)
    await store.close()
  })

  async function open(name: string): Promise<MultipartSession> {
    const options = { size: 10 * MiB, partSize: 5 * MiB, contentType: 'application/x-bam' }
    return { blobName: name, storeUploadId: await store.createMultipart(name, options) }
  }

  function partUrl(session: MultipartSession, partNumber: number, expiresIn = 60) {
    return urls.uploadPart({ ...session, uploadId: 'up_1', partNumber, size: 5 * MiB, expiresIn })
  }

  test('a presigned part PUT works with no headers; its ETag is the MD5 of the part', async () => {
    const session = await open('ws/m1/sample.bam')
    const parts = [randomBytes(5 * MiB), randomBytes(MiB)]
    for (const [i, bytes] of parts.entries()) {
      const signed = await partUrl(session, i + 1)
      assert.deepEqual(signed.headers, {})
      const response = await fetch(signed.url, {
        method: 'PUT',
        headers: signed.headers,
        body: bytes,
      })
      assert.equal(response.status, 200, await response.text())
      assert.equal(response.headers.get('etag'), `"${md5(bytes)}"`)
    }
    const listed = await store.listParts(session)
    assert.deepEqual(
      listed.map((part) => [part.partNumber, part.size, part.sha256, part.etag]),
      parts.map((bytes, i) => [i + 1, bytes.length, null, `"${md5(bytes)}"`]),
    )
    const blob = await store.completeMultipart(session, listed)
    assert.deepEqual(blob, { size: 6 * MiB, sha256: null })
    const head = await store.stat(session.blobName)
    assert.equal(head?.size, 6 * MiB)
  })

  test('a wrong Content-MD5 on a part PUT is refused (400 BadDigest)', async () => {
    const session = await open('ws/m2/sample.bam')
    const bytes = randomBytes(1024)
    const wrong = createHash('md5').update('other').digest('base64')
    const signed = await partUrl(session, 1)
    const response = await fetch(signed.url, {
      method: 'PUT',
      headers: { 'Content-MD5': wrong },
      body: bytes,
    })
    assert.equal(response.status, 400)
    assert.match(await response.text(), /BadDigest/)
    assert.deepEqual(await store.listParts(session), [])
    await store.abortMultipart(session)
  })

  test('an expired part URL is refused (403); a freshly signed one works', async () => {
    const session = await open('ws/m3/sample.bam')
    const bytes = randomBytes(1024)
    // Signed as of 10 s ago and valid for 1 s: expired by the S3 server's real clock.
    const tenSecondsAgo = { now: () => Date.now() - 10_000 }
    const past = new S3TransferUrls(store.client, store.config, tenSecondsAgo)
    const request = { ...session, uploadId: 'up_1', partNumber: 1, size: 5 * MiB, expiresIn: 1 }
    const expired = await past.uploadPart(request)
    assert.equal((await fetch(expired.url, { method: 'PUT', body: bytes })).status, 403)
    const fresh = await partUrl(session, 1)
    assert.equal((await fetch(fresh.url, { method: 'PUT', body: bytes })).status, 200)
    assert.deepEqual(
      (await store.listParts(session)).map((part) => part.size),
      [1024],
    )
    await store.abortMultipart(session)
  })

  test('a part URL is bound to its upload, part number and method', async () => {
    const session = await open('ws/m4/sample.bam')
    const { url } = await partUrl(session, 1)
    const bytes = randomBytes(16)
    for (const tampered of [
      url.replace('partNumber=1', 'partNumber=2'),
      url.replace('uploadId=', 'uploadId=x'),
    ]) {
      assert.notEqual(tampered, url)
      assert.equal((await fetch(tampered, { method: 'PUT', body: bytes })).status, 403, tampered)
    }
    assert.equal((await fetch(url)).status, 403)
    await store.abortMultipart(session)
  })

  test('a body that fails midway aborts the part request; nothing is kept', async () => {
    const session = await open('ws/m5/sample.bam')
    const failing = Readable.from(
      (async function* () {
        yield randomBytes(MiB)
        throw new Error('client went away')
      })(),
    )
    const started = Date.now()
    await assert.rejects(store.putPart(session, 1, failing, { size: 5 * MiB }), /client went away/)
    assert.ok(Date.now() - started < 5000, 'the request was not left waiting for the bytes')
    assert.deepEqual(await store.listParts(session), [])
    await store.abortMultipart(session)
  })

  test('listParts pages past 1,000 parts', async () => {
    const session = await open('ws/m6/many.bin')
    const numbers = Array.from({ length: 1003 }, (_, i) => i + 1)
    for (let at = 0; at < numbers.length; at += 32) {
      await Promise.all(
        numbers.slice(at, at + 32).map((n) => {
          const byte = Buffer.from([n % 256])
          return store.putPart(session, n, Readable.from([byte]), { size: 1 })
        }),
      )
    }
    const listed = await store.listParts(session)
    assert.deepEqual(
      listed.map((part) => part.partNumber),
      numbers,
    )
    await store.abortMultipart(session)
  })
})

/** A fake S3 answering each request with `answer`; records what was asked. */
async function fakeS3(answer: (request: IncomingMessage, response: ServerResponse) => void) {
  const seen: string[] = []
  const server = createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`)
    request.resume()
    request.on('end', () => answer(request, response))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const store = await S3BlobStore.open({
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'b',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  })
  const close = async () => {
    await store.close()
    await new Promise((resolve) => server.close(resolve))
  }
  return { store, seen, close }
}

const xml = (response: ServerResponse, status: number, body: string) => {
  response.writeHead(status, { 'content-type': 'application/xml' })
  response.end(body)
}

const LIST_PARTS =
  '<ListPartsResult><Bucket>b</Bucket><Key>k</Key><UploadId>u</UploadId><IsTruncated>false</IsTruncated></ListPartsResult>'

describe('S3 multipart: answers real stores give in rare cases', () => {
  const session = { blobName: 'ws/v/x.bin', storeUploadId: 'u' }
  const part = { partNumber: 1, size: 10, sha256: null, etag: '"abc"' }

  for (const [what, body] of [
    [
      'an <Error> body in a 200 answer',
      '<?xml version="1.0"?>\n<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>',
    ],
    ['an empty 200 answer', ''],
  ] as const) {
    test(`CompleteMultipartUpload: ${what} is a failure, not a blob`, async () => {
      const fake = await fakeS3((request, response) => {
        if (request.method === 'POST') return xml(response, 200, body)
        if (request.method === 'HEAD') return xml(response, 404, '')
        xml(response, 200, LIST_PARTS)
      })
      try {
        const error = await fake.store.completeMultipart(session, [part]).catch((e) => e)
        rejectsWith('storage_unavailable')(error)
        // SDK v3's throw200Exceptions middleware made the 200 a 503 InternalError.
        assert.deepEqual(s3ErrorOf((error as Error).cause), { name: 'InternalError', status: 503 })
        assert.ok(fake.seen[0]?.startsWith('POST /b/ws/v/x.bin?uploadId=u'), fake.seen[0])
        assert.ok(
          fake.seen.some((line) => line.startsWith('HEAD ')),
          'the object was looked for',
        )
      } finally {
        await fake.close()
      }
    })
  }

  test('a lost answer to a completion that happened: the retry finds the blob', async () => {
    const fake = await fakeS3((request, response) => {
      if (request.method === 'POST')
        return xml(response, 404, '<Error><Code>NoSuchUpload</Code><Message>gone</Message></Error>')
      response.writeHead(200, { 'content-length': '10' })
      response.end()
    })
    try {
      assert.deepEqual(await fake.store.completeMultipart(session, [part]), {
        size: 10,
        sha256: null,
      })
    } finally {
      await fake.close()
    }
  })

  test('a part whose ETag is not the MD5 of the bytes sent is checksum_mismatch', async () => {
    const fake = await fakeS3((_request, response) => {
      response.writeHead(200, { etag: '"00000000000000000000000000000000"' })
      response.end()
    })
    try {
      const put = fake.store.putPart(session, 1, Readable.from([Buffer.from('0123456789')]), {
        size: 10,
      })
      await assert.rejects(put, rejectsWith('checksum_mismatch'))
    } finally {
      await fake.close()
    }
  })
})
