import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { after, before, describe, test } from 'node:test'
import { requires } from '../../../test/support/requires.ts'
import { emptyPrefix, s3TestConfig } from '../../../test/support/s3-test-env.ts'
import { systemClock } from '../../clocks.ts'
import { S3BlobStore } from './s3-blob-store.ts'
import { S3TransferUrls } from './s3-transfer-urls.ts'

const BYTES = Buffer.from('0123456789abcdefghij')
/** Signs as of 10 s ago: a URL valid for 1 s is already expired by the S3 server's real clock. */
const tenSecondsAgo = { now: () => Date.now() - 10_000 }

describe('S3TransferUrls against the test S3 server', requires('s3'), () => {
  let store: S3BlobStore
  let urls: S3TransferUrls

  before(async () => {
    store = await S3BlobStore.open(s3TestConfig())
    urls = new S3TransferUrls(store.client, store.config, systemClock)
    await store.put('ws/v1/data.txt', Readable.from([BYTES]))
  })
  after(async () => {
    await emptyPrefix(store)
    await store.close()
  })

  function download(filename: string, expiresIn = 60) {
    const request = { blobName: 'ws/v1/data.txt', contentType: 'text/plain', expiresIn }
    return urls.download({ ...request, filename, disposition: 'attachment' })
  }

  function upload(blobName: string, expiresIn = 60) {
    const request = { uploadId: 'u1', size: BYTES.length, contentType: 'application/octet-stream' }
    return urls.upload({ ...request, blobName, expiresIn })
  }

  test('a presigned GET honours Range and carries the file name', async () => {
    const signed = await download('sample.vcf')
    assert.ok(signed.expiresAt.getTime() > Date.now() + 55_000)
    const response = await fetch(signed.url, { headers: { Range: 'bytes=2-5' } })
    assert.equal(response.status, 206)
    assert.equal(await response.text(), '2345')
    assert.equal(response.headers.get('content-range'), `bytes 2-5/${BYTES.length}`)
    assert.equal(response.headers.get('content-type'), 'text/plain')
    assert.equal(response.headers.get('content-disposition'), 'attachment; filename="sample.vcf"')
  })

  test('RFC 6266: a non-ASCII file name travels in filename*', async () => {
    const expected = {
      'résumé 1.txt': `attachment; filename="resume 1.txt"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.txt`,
      '结果.vcf': `attachment; filename="__.vcf"; filename*=UTF-8''%E7%BB%93%E6%9E%9C.vcf`,
      'say "hi".txt': 'attachment; filename="say \\"hi\\".txt"',
    }
    for (const [filename, header] of Object.entries(expected)) {
      const response = await fetch((await download(filename)).url)
      assert.equal(response.status, 200)
      assert.equal(response.headers.get('content-disposition'), header)
      await response.arrayBuffer()
    }
  })

  test('a presigned PUT works with exactly the returned headers', async () => {
    const signed = await upload('ws/v2/put.bin')
    assert.deepEqual(signed.headers, { 'Content-Type': 'application/octet-stream' })
    const response = await fetch(signed.url, {
      method: 'PUT',
      headers: signed.headers,
      body: BYTES,
    })
    assert.equal(response.status, 200, await response.text())
    assert.equal((await store.stat('ws/v2/put.bin'))?.size, BYTES.length)
  })

  test('a presigned PUT with another or no Content-Type is refused (403)', async () => {
    const signed = await upload('ws/v3/put.bin')
    const other = { 'Content-Type': 'text/html' }
    assert.equal(
      (await fetch(signed.url, { method: 'PUT', headers: other, body: BYTES })).status,
      403,
    )
    assert.equal((await fetch(signed.url, { method: 'PUT', body: BYTES })).status, 403)
    assert.equal(await store.stat('ws/v3/put.bin'), undefined)
  })

  test('tampered URLs are refused (403)', async () => {
    const { url } = await download('a.txt')
    const signature = new URL(url).searchParams.get('X-Amz-Signature') ?? assert.fail()
    const flipped = `${signature.slice(0, -1)}${signature.endsWith('0') ? '1' : '0'}`
    const tampered = [
      url.replace(signature, flipped),
      url.replace('data.txt', 'data.tx2'),
      url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600'),
      url.replace('filename%3D%22a.txt', 'filename%3D%22b.txt'),
    ]
    for (const candidate of tampered) {
      assert.notEqual(candidate, url)
      assert.equal((await fetch(candidate)).status, 403, candidate)
    }
    const put = (await upload('ws/v4/put.bin')).url
    assert.equal((await fetch(put)).status, 403, 'a PUT URL does not allow GET')
  })

  test('an expired URL is refused (403); it expires when the clock said', async () => {
    const past = new S3TransferUrls(store.client, store.config, tenSecondsAgo)
    const request = { blobName: 'ws/v1/data.txt', contentType: 'text/plain', expiresIn: 1 }
    const signed = await past.download({ ...request, filename: 'a.txt', disposition: 'attachment' })
    assert.ok(signed.expiresAt.getTime() < Date.now() - 8_000)
    assert.equal((await fetch(signed.url)).status, 403)
    assert.equal((await fetch((await download('a.txt', 1)).url)).status, 200, 'signed now: valid')
  })
})
