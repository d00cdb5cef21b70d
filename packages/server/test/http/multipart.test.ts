import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { signedInThePast, startTestServer, type TestServer } from '../support/test-server.ts'

const MiB = 1024 * 1024
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex')

interface Session {
  uploadId: string
  fileKey: string
  partSize: number
  partCount: number
}

for (const backend of backendMatrix()) {
  describe(`multipart sessions (${backend.name})`, () => {
    let server: TestServer
    before(async () => {
      server = await startTestServer(backend)
    })
    after(() => server.close())
    const isS3 = backend.name.endsWith('+s3')

    const start = async (
      filename: string,
      size: number,
      extra: Record<string, unknown> = {},
    ): Promise<Session> => {
      const response = await server.request({
        method: 'POST',
        url: '/v1/files/upload-url',
        json: {
          workspace_id: 'ws_default',
          filename,
          size,
          multipart: true,
          part_size: 5 * MiB,
          ...extra,
        },
      })
      assert.equal(response.statusCode, 201, response.body)
      const answer = response.json()
      assert.equal(answer.multipart, true)
      assert.equal(answer.uploadUrl, undefined)
      return answer
    }
    const sign = async (session: Session, numbers: number[], expiresIn?: number) => {
      const response = await server.request({
        method: 'POST',
        url: `/v1/files/uploads/${session.uploadId}/parts`,
        json: {
          workspace_id: 'ws_default',
          part_numbers: numbers,
          ...(expiresIn ? { expires_in: expiresIn } : {}),
        },
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json().parts as Array<{
        part_number: number
        url: string
        size: number
        headers: Record<string, string>
      }>
    }
    const partOf = (bytes: Buffer, session: Session, n: number) =>
      bytes.subarray((n - 1) * session.partSize, Math.min(n * session.partSize, bytes.length))
    const putParts = async (bytes: Buffer, session: Session, numbers: number[]) => {
      const signed = await sign(session, numbers)
      return Promise.all(
        signed.map(async (part) => {
          const body = partOf(bytes, session, part.part_number)
          assert.equal(part.size, body.length)
          const response = await server.fetchSigned(part.url, {
            method: 'PUT',
            headers: part.headers,
            body,
          })
          assert.equal(response.status, 200, response.body.toString())
          return response
        }),
      )
    }
    const status = async (session: Session) =>
      (
        await server.request({
          method: 'GET',
          url: `/v1/files/uploads/${session.uploadId}`,
          query: { workspace_id: 'ws_default' },
        })
      ).json()
    const confirm = (session: Session, size: number, extra: Record<string, unknown> = {}) =>
      server.request({
        method: 'POST',
        url: '/v1/files/upload-confirm',
        json: {
          workspace_id: 'ws_default',
          file_key: session.fileKey,
          upload_id: session.uploadId,
          size,
          ...extra,
        },
      })

    test('parts PUT out of order and in parallel join byte-exact, with the SHA-256 recorded', async () => {
      const bytes = randomBytes(12 * MiB + 123)
      const session = await start('genome.bam', bytes.length, { path: 'bam/' })
      assert.equal(session.partSize, 5 * MiB)
      assert.equal(session.partCount, 3)
      const responses = await putParts(bytes, session, [3, 1, 2])
      const parts = (await status(session)).parts
      assert.deepEqual(
        parts.map((p: { part_number: number }) => p.part_number),
        [1, 2, 3],
      )
      for (const part of parts) {
        const body = partOf(bytes, session, part.part_number)
        assert.equal(part.size, body.length)
        if (isS3) assert.equal(part.etag?.replace(/"/g, ''), md5(body), 'S3 part ETag is its MD5')
        else assert.equal(part.sha256, sha(body), 'the part SHA-256 is computed on arrival')
      }
      if (!isS3)
        assert.equal(
          JSON.parse(responses[0]?.body.toString() ?? '{}').sha256,
          sha(partOf(bytes, session, 3)),
        )
      assert.deepEqual(
        (
          await server.request({
            method: 'GET',
            url: '/v1/files',
            query: { workspace_id: 'ws_default', prefix: 'bam/' },
          })
        ).json().files,
        [],
      )
      const confirmed = await confirm(session, bytes.length, { sha256: sha(bytes) })
      assert.equal(confirmed.statusCode, 200, confirmed.body)
      assert.equal(confirmed.json().sha256, sha(bytes))
      assert.equal(confirmed.json().size, bytes.length)
      const url = (
        await server.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { workspace_id: 'ws_default', key: 'bam/genome.bam' },
        })
      ).json().url
      assert.equal(sha((await server.fetchSigned(url)).body), sha(bytes))
      assert.equal((await status(session)).status, 'completed')
    })

    test('resume: the session says which parts arrived; a part sent again replaces it', async () => {
      const bytes = randomBytes(11 * MiB)
      const session = await start('resume.bin', bytes.length)
      await putParts(Buffer.alloc(bytes.length, 1), session, [2]) // wrong bytes first
      await putParts(bytes, session, [1])
      assert.deepEqual(
        (await status(session)).parts.map((p: { part_number: number }) => p.part_number),
        [1, 2],
      )
      await putParts(bytes, session, [2, 3]) // resend 2, then the rest
      const confirmed = await confirm(session, bytes.length)
      assert.equal(confirmed.json().sha256, sha(bytes))
    })

    test('confirm with parts missing is 409 upload_not_received naming them; nothing visible', async () => {
      const bytes = randomBytes(11 * MiB)
      const session = await start('partial.bin', bytes.length)
      await putParts(bytes, session, [1])
      const response = await confirm(session, bytes.length)
      assert.equal(response.statusCode, 409)
      assert.equal(response.json().error.code, 'upload_not_received')
      assert.deepEqual(response.json().error.details.missing_parts, [2, 3])
      assert.equal(
        (
          await server.request({
            method: 'GET',
            url: '/v1/files',
            query: { workspace_id: 'ws_default', prefix: 'partial' },
          })
        ).json().files.length,
        0,
      )
    })

    test('a declared SHA-256 that does not match: 422 and nothing visible', async () => {
      const bytes = randomBytes(6 * MiB)
      const session = await start('bad-sum.bin', bytes.length, { sha256: sha(Buffer.from('x')) })
      await putParts(bytes, session, [1, 2])
      const response = await confirm(session, bytes.length)
      assert.equal(response.statusCode, 422)
      assert.equal(response.json().error.code, 'checksum_mismatch')
      assert.equal(
        (
          await server.request({
            method: 'GET',
            url: '/v1/files',
            query: { workspace_id: 'ws_default', prefix: 'bad-sum' },
          })
        ).json().files.length,
        0,
      )
    })

    test('an expired part URL is refused; signing it again works', async () => {
      const bytes = randomBytes(5 * MiB)
      const session = await start('expiry.bin', bytes.length)
      const [stale] = await signedInThePast(server, () => sign(session, [1], 1))
      const refused = await server.fetchSigned(stale?.url ?? '', {
        method: 'PUT',
        headers: stale?.headers ?? {},
        body: bytes,
      })
      assert.equal(refused.status, 403)
      if (!backend.name.endsWith('+s3')) {
        assert.equal(JSON.parse(refused.body.toString()).error.code, 'url_expired')
      }
      await putParts(bytes, session, [1])
      assert.equal((await confirm(session, bytes.length)).statusCode, 200)
    })

    test('part numbers outside the session and wrong part sizes are refused', async () => {
      const session = await start('sizes.bin', 6 * MiB)
      const outside = await server.request({
        method: 'POST',
        url: `/v1/files/uploads/${session.uploadId}/parts`,
        json: { workspace_id: 'ws_default', part_numbers: [3] },
      })
      assert.equal(outside.statusCode, 400)
      if (!isS3) {
        const [part] = await sign(session, [2])
        const tooMany = await server.fetchSigned(part?.url ?? '', {
          method: 'PUT',
          body: Buffer.alloc(MiB + 1),
        })
        assert.equal(tooMany.status, 413)
        const tooFew = await server.fetchSigned(part?.url ?? '', {
          method: 'PUT',
          body: Buffer.alloc(MiB - 1),
        })
        assert.equal(tooFew.status, 400)
        assert.deepEqual((await status(session)).parts, [])
      }
    })

    test('abort drops the session; it is no longer listed nor signable', async () => {
      const bytes = randomBytes(5 * MiB)
      const session = await start('aborted.bin', bytes.length)
      await putParts(bytes, session, [1])
      const listed = await server.request({
        method: 'GET',
        url: '/v1/files/uploads',
        query: { workspace_id: 'ws_default' },
      })
      assert.ok(
        listed.json().uploads.some((u: { upload_id: string }) => u.upload_id === session.uploadId),
      )
      const aborted = await server.request({
        method: 'DELETE',
        url: `/v1/files/uploads/${session.uploadId}`,
        query: { workspace_id: 'ws_default' },
      })
      assert.equal(aborted.statusCode, 204)
      assert.equal((await status(session)).status, 'aborted')
      const resign = await server.request({
        method: 'POST',
        url: `/v1/files/uploads/${session.uploadId}/parts`,
        json: { workspace_id: 'ws_default', part_numbers: [1] },
      })
      assert.equal(resign.statusCode, 404)
      const after = await server.request({
        method: 'GET',
        url: '/v1/files/uploads',
        query: { workspace_id: 'ws_default' },
      })
      assert.ok(
        !after.json().uploads.some((u: { upload_id: string }) => u.upload_id === session.uploadId),
      )
    })

    test('an abandoned session is reaped with its bytes; gc reports what it reclaimed', async () => {
      const bytes = randomBytes(5 * MiB)
      const session = await start('abandoned.bin', bytes.length)
      const idle = Date.parse((await status(session)).expires_at) - Date.now()
      assert.ok(idle > 23.9 * 3600_000 && idle <= 24 * 3600_000, 'idle for 24 h by default')
      await putParts(bytes, session, [1])
      // A day without activity, without waiting a day: the idle deadline moved into the past.
      await server.server.services.metadata.touchUpload(
        session.uploadId,
        new Date(Date.now() - 1000).toISOString(),
      )
      const gc = await server.request({ method: 'POST', url: '/v1/admin/gc' })
      assert.equal(gc.statusCode, 200, gc.body)
      assert.ok(gc.json().expired_uploads >= 1)
      assert.ok(gc.json().reclaimed_bytes >= bytes.length)
      assert.equal((await status(session)).status, 'expired')
      // The parts are gone from the store itself, not only from the answers.
      const { metadata, blobs } = server.server.services
      const record = await metadata.getUpload(session.uploadId)
      const storeSession = {
        blobName: record?.blobName ?? '',
        storeUploadId: record?.multipart?.storeUploadId ?? '',
      }
      await assert.rejects(blobs.listParts(storeSession), { code: 'upload_not_found' })
      assert.equal((await confirm(session, bytes.length)).statusCode, 404)
      const again = await server.request({ method: 'POST', url: '/v1/admin/gc' })
      assert.equal(again.json().expired_uploads, 0)
    })

    test('another workspace cannot see or touch the session', async () => {
      const session = await start('private.bin', 5 * MiB)
      await server.request({
        method: 'POST',
        url: '/v1/workspaces',
        json: { id: 'ws_other', name: 'Other' },
      })
      const key = await server.key(['files'], ['ws_other'])
      for (const [method, url, extra] of [
        ['GET', `/v1/files/uploads/${session.uploadId}`, { query: { workspace_id: 'ws_other' } }],
        [
          'DELETE',
          `/v1/files/uploads/${session.uploadId}`,
          { query: { workspace_id: 'ws_other' } },
        ],
        [
          'POST',
          `/v1/files/uploads/${session.uploadId}/parts`,
          { json: { workspace_id: 'ws_other', part_numbers: [1] } },
        ],
      ] as const) {
        const response = await server.request({ method, url, as: key, ...extra })
        assert.equal(response.statusCode, 404, `${method} ${url}`)
        assert.equal(response.json().error.code, 'upload_not_found')
      }
    })
  })
}
