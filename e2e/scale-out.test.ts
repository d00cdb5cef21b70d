/**
 * Two Granary processes behind one address: PostgreSQL for metadata, a shared folder or an S3
 * bucket for the bytes, one signing secret. Every request alternates between them; a URL signed
 * by one is honoured by the other, and an upload started on one is confirmed on the other.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { Granary } from '@granary/client'
import { requires, type Service } from '../packages/server/test/support/requires.ts'
import { freshDatabase } from './support/postgres-database.ts'
import { ADMIN_KEY, type ServerProcess, startServerProcess } from './support/server-process.ts'

/** Calls `probe` until `done` accepts its answer or 10 s pass; answers the last answer either way. */
async function pollUntil<T>(probe: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 10_000
  let value = await probe()
  while (!done(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
    value = await probe()
  }
  return value
}

/** A URL one process signed, sent to `server` instead (S3's presigned URLs stay as they are). */
const via = (server: ServerProcess, url: string, processes: ServerProcess[]) => {
  const moved = new URL(url)
  if (!processes.some((p) => new URL(p.url).host === moved.host)) return url
  moved.host = new URL(server.url).host
  return moved.toString()
}

interface BlobBackend {
  name: string
  needs: Service[]
  env(shared: string): Record<string, string>
  /** Version folders of the workspace's blobs under `race/`. */
  raceVersions(shared: string, env: Record<string, string>): Promise<string[]>
}

const sharedFolder: BlobBackend = {
  name: 'a shared folder',
  needs: ['postgres'],
  env: (shared) => ({ GRANARY_DATA_DIR: shared }),
  async raceVersions(shared) {
    const root = join(shared, 'blobs', 'ws_default')
    const left: string[] = []
    for (const version of await readdir(root)) {
      const entries = await readdir(join(root, version)).catch((): string[] => [])
      if (entries.includes('race')) left.push(version)
    }
    return left
  },
}

const bucket: BlobBackend = {
  name: 'an S3 bucket',
  needs: ['postgres', 's3'],
  env: () => ({
    GRANARY_STORAGE: 's3',
    GRANARY_S3_ENDPOINT: process.env.GRANARY_TEST_S3_ENDPOINT ?? '',
    GRANARY_S3_BUCKET: process.env.GRANARY_TEST_S3_BUCKET ?? '',
    GRANARY_S3_REGION: process.env.GRANARY_TEST_S3_REGION ?? 'us-east-1',
    GRANARY_S3_ACCESS_KEY_ID: process.env.GRANARY_TEST_S3_ACCESS_KEY_ID ?? '',
    GRANARY_S3_SECRET_ACCESS_KEY: process.env.GRANARY_TEST_S3_SECRET_ACCESS_KEY ?? '',
    GRANARY_S3_PREFIX: `scale-out-${randomBytes(4).toString('hex')}/`,
  }),
  async raceVersions(_shared, env) {
    const s3 = new S3Client({
      endpoint: env.GRANARY_S3_ENDPOINT,
      region: env.GRANARY_S3_REGION,
      forcePathStyle: true,
      credentials: {
        accessKeyId: env.GRANARY_S3_ACCESS_KEY_ID as string,
        secretAccessKey: env.GRANARY_S3_SECRET_ACCESS_KEY as string,
      },
    })
    const prefix = `${env.GRANARY_S3_PREFIX}ws_default/`
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: env.GRANARY_S3_BUCKET, Prefix: prefix }),
    )
    s3.destroy()
    const keys = (listed.Contents ?? []).map((o) => (o.Key ?? '').slice(prefix.length))
    return keys.filter((k) => k.split('/')[1] === 'race').map((k) => k.split('/')[0] as string)
  },
}

for (const blobs of [sharedFolder, bucket])
  describe(
    `two Granary processes on one PostgreSQL and ${blobs.name}`,
    requires(...blobs.needs),
    () => {
      let a: ServerProcess
      let b: ServerProcess
      let shared: string
      let env: Record<string, string>
      const clients: Granary[] = []
      const next = (() => {
        let turn = 0
        return () => clients[turn++ % 2] as Granary
      })()
      before(async () => {
        shared = await mkdtemp(join(tmpdir(), 'granary-e2e-shared-'))
        env = {
          GRANARY_DATABASE_URL: await freshDatabase(process.env.GRANARY_TEST_DATABASE_URL ?? ''),
          GRANARY_SIGNING_SECRET: randomBytes(32).toString('hex'),
          GRANARY_DATA_DIR: shared,
          ...blobs.env(shared),
        }
        ;[a, b] = await Promise.all([startServerProcess(env), startServerProcess(env)])
        clients.push(
          new Granary({ baseUrl: a.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' }),
          new Granary({ baseUrl: b.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' }),
        )
      })
      after(async () => {
        await Promise.all([a?.stop(), b?.stop()])
        await rm(shared, { recursive: true, force: true })
      })

      test('upload on one, list, download and delete on the other, alternating every request', async () => {
        const file = await next().files.upload(new Blob(['alternating']), {
          path: 'raw/',
          filename: 'x.txt',
        })
        assert.deepEqual(
          (await next().files.list({ prefix: 'raw/' })).files.map((f) => f.id),
          [file.id],
        )
        const { url } = await next().files.downloadUrl('raw/x.txt')
        assert.equal(await (await fetch(via(a, url, [a, b]))).text(), 'alternating')
        assert.equal(await (await fetch(via(b, url, [a, b]))).text(), 'alternating')
        await next().files.delete('raw/x.txt')
        assert.deepEqual((await next().files.list({ prefix: 'raw/' })).files, [])
      })

      test('an upload started on one process is PUT to and confirmed on the other', async () => {
        const bytes = randomBytes(1_000_000)
        const info = await clients[0]?.files.uploadLarge({
          filename: 'big.bin',
          size: bytes.length,
        })
        assert.ok(info)
        const put = await fetch(via(b, info.uploadUrl, [a, b]), {
          method: 'PUT',
          headers: info.headers,
          body: bytes,
        })
        assert.equal(put.status, 200)
        const file = await clients[1]?.files.uploadConfirm({
          fileKey: info.fileKey,
          size: bytes.length,
        })
        assert.equal(file?.sha256, createHash('sha256').update(bytes).digest('hex'))
      })

      /** A raw JSON call to one process (the versions and trash calls the clients gain later). */
      const call = async (server: ServerProcess, method: string, path: string, json?: unknown) => {
        const response = await fetch(`${server.url}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${ADMIN_KEY}`,
            ...(json === undefined ? {} : { 'content-type': 'application/json' }),
          },
          ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        })
        return { status: response.status, body: await response.json() }
      }

      test('racing writers of one key on both processes: one file, its versions, no stray bytes', async () => {
        const writes = Array.from({ length: 20 }, (_, i) =>
          next().files.upload(new Blob([`version ${i}`]), { path: 'race/', filename: 'same.txt' }),
        )
        const results = await Promise.all(writes)
        const listed = (await next().files.list({ prefix: 'race/' })).files
        assert.equal(listed.length, 1)
        assert.ok(results.some((r) => r.sha256 === listed[0]?.sha256))
        assert.equal(new Set(results.map((r) => r.id)).size, 1, 'one stable id for the key')
        // keep_versions (10 by default) contents are kept; the pruned ones are deleted just
        // after each commit: wait for the last deletions.
        const versions = await call(
          a,
          'GET',
          '/v1/files/versions?workspace_id=ws_default&key=race/same.txt',
        )
        assert.equal(versions.body.versions.length, 10)
        const left = await pollUntil(
          () => blobs.raceVersions(shared, env),
          (stored) => stored.length <= 10,
        )
        assert.equal(left.length, 10)
      })

      test('two restores of one trash item on both processes: one wins, the other 404', async () => {
        for (let round = 0; round < 5; round++) {
          const key = `trash-race/${round}.txt`
          await next().files.upload(new Blob(['keep me']), {
            path: 'trash-race/',
            filename: `${round}.txt`,
          })
          await next().files.delete(key)
          const trash = await call(a, 'GET', `/v1/trash?workspace_id=ws_default&prefix=${key}`)
          const trashId = trash.body.files[0].trash_id
          const restore = (server: ServerProcess, to?: string) =>
            call(server, 'POST', '/v1/trash/restore', {
              workspace_id: 'ws_default',
              trash_id: trashId,
              ...(to ? { to } : {}),
            })
          const answers = await Promise.all([
            restore(a),
            restore(b, `trash-race/other-${round}.txt`),
          ])
          const statuses = answers.map((r) => r.status).sort()
          assert.deepEqual(statuses, [200, 404], JSON.stringify(answers))
          const lost = answers.find((r) => r.status === 404)
          assert.equal(lost?.body.error.code, 'trash_item_not_found')
          const listed = (await next().files.list({ prefix: 'trash-race/' })).files
          assert.equal(listed.filter((f) => f.key.endsWith(`${round}.txt`)).length, 1)
        }
      })
    },
  )
