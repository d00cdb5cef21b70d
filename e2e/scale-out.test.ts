/**
 * Two Granary processes behind one address: PostgreSQL for metadata, a shared folder for the
 * bytes, one signing secret. Every request alternates between them; a URL signed by one is
 * honoured by the other, and an upload started on one is confirmed on the other.
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Granary } from '@granary/client'
import pg from 'pg'
import { ADMIN_KEY, type ServerProcess, startServerProcess } from './support/server-process.ts'

const databaseUrl = process.env.GRANARY_TEST_DATABASE_URL
const skip = databaseUrl
  ? false
  : 'needs PostgreSQL (GRANARY_TEST_DATABASE_URL; npm test starts one)'
if (skip && process.env.CI) throw new Error(`CI must run the scale-out test: it ${skip}`)
if (skip) console.error(`\n!!! SKIPPING the two-process test: it ${skip} !!!\n`)

async function freshDatabase(url: string): Promise<string> {
  const name = `granary_e2e_${Math.random().toString(36).slice(2, 10)}`
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`create database ${name}`)
  await client.end()
  const own = new URL(url)
  own.pathname = `/${name}`
  return own.toString()
}

/** The same URL, sent to the other process. */
const via = (server: ServerProcess, url: string) => {
  const moved = new URL(url)
  const target = new URL(server.url)
  moved.host = target.host
  return moved.toString()
}

describe('two Granary processes on one PostgreSQL and one shared folder', { skip }, () => {
  let a: ServerProcess
  let b: ServerProcess
  let shared: string
  const clients: Granary[] = []
  const next = (() => {
    let turn = 0
    return () => clients[turn++ % 2] as Granary
  })()
  before(async () => {
    shared = await mkdtemp(join(tmpdir(), 'granary-e2e-shared-'))
    const env = {
      GRANARY_DATABASE_URL: await freshDatabase(databaseUrl as string),
      GRANARY_SIGNING_SECRET: randomBytes(32).toString('hex'),
      GRANARY_DATA_DIR: shared,
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
    assert.equal(await (await fetch(via(a, url))).text(), 'alternating')
    assert.equal(await (await fetch(via(b, url))).text(), 'alternating')
    await next().files.delete('raw/x.txt')
    assert.deepEqual((await next().files.list({ prefix: 'raw/' })).files, [])
  })

  test('an upload started on one process is PUT to and confirmed on the other', async () => {
    const bytes = randomBytes(1_000_000)
    const info = await clients[0]?.files.uploadLarge({ filename: 'big.bin', size: bytes.length })
    assert.ok(info)
    const put = await fetch(via(b, info.uploadUrl), {
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

  test('racing writers of one key on both processes leave one version and no stray bytes', async () => {
    const writes = Array.from({ length: 20 }, (_, i) =>
      next().files.upload(new Blob([`version ${i}`]), { path: 'race/', filename: 'same.txt' }),
    )
    const results = await Promise.all(writes)
    const listed = (await next().files.list({ prefix: 'race/' })).files
    assert.equal(listed.length, 1)
    assert.ok(results.some((r) => r.sha256 === listed[0]?.sha256))
    assert.equal(new Set(results.map((r) => r.id)).size, 1, 'one stable id for the key')
    // Replaced versions are deleted after each commit; give the last deletions a moment.
    await new Promise((resolve) => setTimeout(resolve, 500))
    const blobs = await readdir(join(shared, 'blobs', 'ws_default'))
    const left: string[] = []
    for (const version of blobs) {
      const entries = await readdir(join(shared, 'blobs', 'ws_default', version)).catch(
        (): string[] => [],
      )
      if (entries.includes('race')) left.push(version)
    }
    assert.equal(left.length, 1)
  })
})
