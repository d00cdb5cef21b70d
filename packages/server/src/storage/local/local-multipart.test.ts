import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { link, mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import type { MultipartSession } from '../../domain/ports.ts'
import { LocalMultipart } from './local-multipart.ts'

const PART = 64 * 1024
const FILE = randomBytes(3 * PART + 1000)
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')
const partBytes = (n: number) => FILE.subarray((n - 1) * PART, n * PART)

/** A multipart store over a temp root; `readBack` counts the bytes it reads from session files. */
async function setup() {
  const root = await mkdtemp(join(tmpdir(), 'granary-multipart-'))
  const published = join(root, 'published')
  const meter = { readBack: 0 }
  const open = () =>
    new LocalMultipart(
      root,
      (file) => link(file, published),
      (bytes) => {
        meter.readBack += bytes
      },
    )
  const multipart = open()
  const blobName = 'ws_a/v1/raw/big.bin'
  const id = await multipart.create(blobName, { size: FILE.length, partSize: PART })
  const session: MultipartSession = { blobName, storeUploadId: id }
  const put = (store: LocalMultipart, n: number) =>
    store.putPart(session, n, Readable.from([partBytes(n)]), partBytes(n).length)
  return { root, published, meter, open, multipart, session, put }
}

test('parts sent out of order are hashed as they line up; completing reads nothing back', async () => {
  const { root, published, meter, multipart, session, put } = await setup()
  try {
    await put(multipart, 3)
    await put(multipart, 4)
    // Parts 3 and 4 wait on disk for 1 and 2: nothing is hashed yet.
    assert.equal(meter.readBack, 0)
    await put(multipart, 1)
    await put(multipart, 2)
    // Every part was hashed (read back once from the page cache) before anyone confirms.
    assert.equal(meter.readBack, FILE.length)
    const parts = await multipart.listParts(session)
    const before = meter.readBack
    const blob = await multipart.complete(session, parts)
    assert.equal(meter.readBack, before, 'completion read the session file again')
    assert.equal(blob.sha256, sha256(FILE))
    assert.equal(blob.size, FILE.length)
    assert.deepEqual(await readFile(published), FILE)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('after a restart mid-session the hash is rebuilt from the file, and is right', async () => {
  const { root, published, open, multipart, session, put } = await setup()
  try {
    await put(multipart, 1)
    await put(multipart, 3)
    const restarted = open()
    await put(restarted, 2)
    await put(restarted, 4)
    const blob = await restarted.complete(session, await restarted.listParts(session))
    assert.equal(blob.sha256, sha256(FILE))
    assert.deepEqual(await readFile(published), FILE)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a part sent again with other bytes after it was hashed: the hash is of the final bytes', async () => {
  const { root, multipart, session, put } = await setup()
  try {
    for (const n of [1, 2, 3, 4]) await put(multipart, n)
    const wrong = Buffer.alloc(PART, 7)
    await multipart.putPart(session, 1, Readable.from([wrong]), PART)
    const expected = sha256(Buffer.concat([wrong, FILE.subarray(PART)]))
    const blob = await multipart.complete(session, await multipart.listParts(session))
    assert.equal(blob.sha256, expected)
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a completion after a restart, with every part in, hashes the file then', async () => {
  const { root, open, multipart, session, put } = await setup()
  try {
    await Promise.all([1, 2, 3, 4].map((n) => put(multipart, n)))
    const restarted = open()
    const blob = await restarted.complete(session, await restarted.listParts(session))
    assert.equal(blob.sha256, sha256(FILE))
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
