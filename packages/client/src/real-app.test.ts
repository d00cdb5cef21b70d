/**
 * The client against the real Granary app in-process (`injectFetch`), on every backend the
 * machine has: what the fakes in the other suites assume of the server, checked against it.
 * The fakes stay for what a real server will not do on demand (faults, odd answers, retries).
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../../server/test/support/backends.ts'
import { injectFetch } from '../../server/test/support/inject-fetch.ts'
import {
  ADMIN_KEY,
  PUBLIC_URL,
  startTestServer,
  type TestServer,
} from '../../server/test/support/test-server.ts'
import { ApiError } from './errors.ts'
import { Granary } from './granary.ts'

const MiB = 1024 * 1024
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')

async function rejectsWith(promise: Promise<unknown>, status: number, code: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ApiError, String(error))
    assert.equal(error.status, status)
    assert.equal(error.code, code)
    assert.ok(error.requestId?.startsWith('req_'))
    return true
  })
}

for (const backend of backendMatrix()) {
  describe(`the client against the app (${backend.name})`, () => {
    let server: TestServer
    let client: Granary
    let fetch: typeof globalThis.fetch
    const as = (apiKey: string, workspaceId = 'ws_default') =>
      new Granary({ baseUrl: PUBLIC_URL, apiKey, workspaceId, fetch })
    before(async () => {
      // Sessions open from 6 MiB, in 5 MiB parts (the smallest S3 takes).
      server = await startTestServer(backend, {
        GRANARY_MULTIPART_THRESHOLD: String(6 * MiB),
        GRANARY_PART_SIZE: String(5 * MiB),
        // On S3, confirming from 6 MiB answers 202 and verifies in the background.
        GRANARY_S3_BACKGROUND_VERIFY_BYTES: String(6 * MiB),
      })
      fetch = injectFetch(server.app, PUBLIC_URL)
      client = as(ADMIN_KEY)
    })
    after(() => server?.close())

    test('health and me', async () => {
      assert.equal((await client.health()).status, 'ok')
      const me = await client.me()
      assert.ok(me.key.scopes.includes('admin'))
    })

    test('upload, list, listAll, download, delete', async () => {
      const file = await client.files.upload(new Blob(['##fileformat=VCFv4.2\n']), {
        filename: 'sample.vcf',
        path: 'raw/',
        description: 'first run',
      })
      assert.equal(file.key, 'raw/sample.vcf')
      assert.equal(file.size, 21)
      assert.equal(file.description, 'first run')
      await client.files.upload(new Blob(['b']), { filename: 'b.txt', path: 'raw/' })
      await client.files.upload(new Blob(['c']), { filename: 'c.txt', path: 'raw/deep/' })
      const page = await client.files.list({ prefix: 'raw/', delimiter: '/' })
      assert.deepEqual(
        page.files.map((f) => f.key),
        ['raw/b.txt', 'raw/sample.vcf'],
      )
      assert.deepEqual(page.folders, ['raw/deep/'])
      const all: string[] = []
      for await (const f of client.files.listAll({ prefix: 'raw/', pageSize: 1 })) all.push(f.key)
      assert.deepEqual(all, ['raw/b.txt', 'raw/deep/c.txt', 'raw/sample.vcf'])
      const stream = await client.files.downloadStream('raw/sample.vcf')
      assert.equal(await new Response(stream.body).text(), '##fileformat=VCFv4.2\n')
      assert.equal(stream.size, 21)
      const { url } = await client.files.downloadUrl('raw/sample.vcf')
      const direct = await fetch(url)
      assert.equal(direct.status, 200)
      assert.match(direct.headers.get('content-disposition') ?? '', /sample\.vcf/)
      await client.files.delete('raw/sample.vcf')
      await rejectsWith(client.files.downloadUrl('raw/sample.vcf'), 404, 'file_not_found')
      await rejectsWith(client.files.delete('raw/sample.vcf'), 404, 'file_not_found')
    })

    test('the seed flow: upload-url, PUT the bytes, upload-confirm', async () => {
      const bytes = randomBytes(64 * 1024)
      const started = await client.files.uploadLarge({
        filename: 'reads.fastq',
        path: 'seq/',
        size: bytes.length,
        sha256: sha256(bytes),
      })
      const put = await fetch(started.uploadUrl, {
        method: 'PUT',
        headers: started.headers,
        body: bytes,
      })
      assert.ok(put.ok, `PUT answered ${put.status}`)
      const file = await client.files.uploadConfirm({
        fileKey: started.fileKey,
        size: bytes.length,
      })
      assert.equal(file.sha256, sha256(bytes))
      assert.equal(file.key, 'seq/reads.fastq')
    })

    test('uploadFile streams a multipart session; the stored file is byte-exact', async () => {
      const bytes = randomBytes(6 * MiB + 17)
      const sessions: string[] = []
      const file = await client.files.uploadFile(new Blob([bytes]), {
        filename: 'genome.bam',
        path: 'bam/',
        multipartThreshold: 6 * MiB,
        onSession: (session) => {
          sessions.push(session.uploadId)
        },
      })
      assert.equal(sessions.length, 1)
      assert.equal(file.size, bytes.length)
      assert.equal(file.sha256, sha256(bytes))
      const back = await client.files.downloadStream('bam/genome.bam')
      assert.equal(sha256(new Uint8Array(await new Response(back.body).arrayBuffer())), file.sha256)
      assert.equal((await client.files.uploads.get(sessions[0] as string)).status, 'completed')
    })

    test('a confirm answered 202 (verifying, S3) is waited out: uploadFile answers the file', async () => {
      const confirms: number[] = []
      const watching: typeof globalThis.fetch = async (input, init) => {
        const response = await fetch(input, init)
        if (String(input).includes('/upload-confirm')) confirms.push(response.status)
        return response
      }
      const watched = new Granary({
        baseUrl: PUBLIC_URL,
        apiKey: ADMIN_KEY,
        workspaceId: 'ws_default',
        fetch: watching,
      })
      const bytes = randomBytes(6 * MiB + 5)
      const file = await watched.files.uploadFile(new Blob([bytes]), {
        filename: 'verified.bin',
        multipartThreshold: 6 * MiB,
      })
      assert.equal(file.sha256, sha256(bytes))
      assert.equal(file.size, bytes.length)
      const isS3 = backend.name.endsWith('+s3')
      // S3 reads the bytes back (first 202, then the file); the local backend hashed them on arrival.
      assert.deepEqual(confirms, isS3 ? [202, 200] : [200])
    })

    test('an interrupted uploadFile resumes into the same session; download saves it, ranged', async () => {
      const bytes = randomBytes(6 * MiB + 17)
      const stop = new AbortController()
      let uploadId = ''
      const interrupted = client.files.uploadFile(new Blob([bytes]), {
        filename: 'resumed.bam',
        multipartThreshold: 6 * MiB,
        concurrency: 1,
        signal: stop.signal,
        onSession: (session) => {
          uploadId = session.uploadId
        },
        onProgress: ({ loaded }) => {
          if (loaded > 0) stop.abort()
        },
      })
      await assert.rejects(interrupted, { name: 'AbortError' })
      assert.notEqual(uploadId, '')
      const file = await client.files.resumeUpload(uploadId, new Blob([bytes]), {
        filename: 'resumed.bam',
      })
      assert.equal(file.sha256, sha256(bytes))
      const dir = await mkdtemp(join(tmpdir(), 'granary-client-'))
      try {
        const saved = await client.files.download('resumed.bam', {
          dest: `${dir}/`,
          parallelThreshold: 1,
          rangeSize: 2 * MiB,
        })
        assert.equal(sha256(await readFile(saved)), sha256(bytes))
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    })

    test('upload sessions: listed, described, aborted', async () => {
      const opened = await client.files.uploadLarge({ filename: 'open.bam', size: 12 * MiB })
      const listed = await client.files.uploads.list()
      const mine = listed.find((u) => u.file_key === opened.fileKey)
      assert.ok(mine, JSON.stringify(listed))
      assert.equal(mine.multipart, true)
      const session = await client.files.uploads.get(mine.upload_id)
      assert.equal(session.part_count, 3)
      assert.deepEqual(session.parts, [])
      await client.files.uploads.abort(mine.upload_id)
      const after = await client.files.uploads.list()
      assert.ok(!after.some((u) => u.upload_id === mine.upload_id))
    })

    test('errors arrive as ApiError with the code, status and request id', async () => {
      await rejectsWith(
        client.files.upload(new Blob(['x']), { filename: 'x', path: '../up/' }),
        400,
        'invalid_key',
      )
      await rejectsWith(
        client.files.list({ workspaceId: 'ws_nowhere' }),
        404,
        'workspace_not_found',
      )
      await rejectsWith(as('not-a-key').files.list(), 401, 'unauthenticated')
    })

    test('workspaces and keys: a key sees its workspace only, and nothing once revoked', async () => {
      const workspace = await client.workspaces.create({ id: 'ws_lab', name: 'Lab' })
      assert.equal(workspace.id, 'ws_lab')
      assert.ok((await client.workspaces.list()).some((w) => w.id === 'ws_lab'))
      const key = await client.keys.create({
        name: 'pipeline',
        scopes: ['files'],
        workspaceIds: ['ws_lab'],
      })
      const pipeline = as(key.secret, 'ws_lab')
      await pipeline.files.upload(new Blob(['lab']), { filename: 'lab.txt' })
      assert.deepEqual(
        (await pipeline.files.list()).files.map((f) => f.key),
        ['lab.txt'],
      )
      await rejectsWith(
        pipeline.files.list({ workspaceId: 'ws_default' }),
        404,
        'workspace_not_found',
      )
      await client.keys.revoke(key.id)
      await rejectsWith(pipeline.files.list(), 401, 'unauthenticated')
    })

    test('storage check names the backend', async () => {
      const status = await client.storage.check()
      assert.equal(status.backend, backend.name.endsWith('+s3') ? 's3' : 'local')
      assert.equal(status.reachable, true)
    })
  })
}
