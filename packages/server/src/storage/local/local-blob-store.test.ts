import assert from 'node:assert/strict'
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { test } from 'node:test'
import { describeBlobStore } from '../blob-store-contract.ts'
import { LocalBlobStore } from './local-blob-store.ts'

describeBlobStore('local', async () => {
  const root = await mkdtemp(join(tmpdir(), 'granary-blobs-'))
  return {
    store: await LocalBlobStore.open(root),
    teardown: () => rm(root, { recursive: true, force: true }),
  }
})

test('open removes temp files a crash left behind', async () => {
  const root = await mkdtemp(join(tmpdir(), 'granary-blobs-'))
  try {
    await LocalBlobStore.open(root)
    await writeFile(join(root, 'tmp', 'half-written'), 'partial')
    await LocalBlobStore.open(root)
    assert.deepEqual(await readdir(join(root, 'tmp')), [])
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('delete removes the folders a blob leaves empty, and only those', async () => {
  const root = await mkdtemp(join(tmpdir(), 'granary-blobs-'))
  try {
    const store = await LocalBlobStore.open(root)
    await store.put('ws_a/v1/raw/x.vcf', Readable.from([Buffer.from('x')]))
    await store.put('ws_a/v2/raw/y.vcf', Readable.from([Buffer.from('y')]))
    await store.delete('ws_a/v1/raw/x.vcf')
    assert.deepEqual(await readdir(join(root, 'blobs', 'ws_a')), ['v2'])
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('a blob name cannot leave the store', async () => {
  const root = await mkdtemp(join(tmpdir(), 'granary-blobs-'))
  try {
    const store = await LocalBlobStore.open(root)
    await assert.rejects(store.put('../escape', Readable.from([Buffer.from('x')])), {
      code: 'invalid_key',
    })
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})

test('no operation follows a symbolic link planted in the store', async () => {
  const root = await mkdtemp(join(tmpdir(), 'granary-blobs-'))
  const outside = await mkdtemp(join(tmpdir(), 'granary-outside-'))
  try {
    const store = await LocalBlobStore.open(root)
    await mkdir(join(outside, 'raw'))
    await writeFile(join(outside, 'raw', 'x.vcf'), 'secret')
    // A linked folder on the way, and a linked file at the end.
    await mkdir(join(root, 'blobs', 'ws_a'))
    await symlink(outside, join(root, 'blobs', 'ws_a', 'v1'))
    await mkdir(join(root, 'blobs', 'ws_a', 'v2', 'raw'), { recursive: true })
    await symlink(join(outside, 'raw', 'x.vcf'), join(root, 'blobs', 'ws_a', 'v2', 'raw', 'x.vcf'))
    const refused = { code: 'storage_link_refused' }
    for (const name of ['ws_a/v1/raw/x.vcf', 'ws_a/v2/raw/x.vcf']) {
      await assert.rejects(store.read(name), refused, name)
      await assert.rejects(store.stat(name), refused, name)
      await assert.rejects(store.delete(name), refused, name)
    }
    await assert.rejects(
      store.put('ws_a/v1/raw/new.vcf', Readable.from([Buffer.from('x')])),
      refused,
    )
    assert.equal(await readFile(join(outside, 'raw', 'x.vcf'), 'utf8'), 'secret')
    assert.deepEqual(await readdir(join(outside, 'raw')), ['x.vcf'])
    const listed = []
    for await (const blob of store.listBlobs()) listed.push(blob.name)
    assert.deepEqual(listed, [])
  } finally {
    await rm(root, { recursive: true, force: true })
    await rm(outside, { recursive: true, force: true })
  }
})

test('open serves size and bytes from one open file; missing → undefined; a link → refused', async () => {
  const root = await mkdtemp(join(tmpdir(), 'granary-blobs-'))
  try {
    const store = await LocalBlobStore.open(root)
    await store.put('ws_a/v1/raw/x.txt', Readable.from([Buffer.from('0123456789')]))
    const blob = await store.open('ws_a/v1/raw/x.txt')
    assert.equal(blob?.size, 10)
    const chunks: Buffer[] = []
    for await (const chunk of blob?.read({ start: 2, end: 5 }) ?? []) chunks.push(chunk as Buffer)
    assert.equal(Buffer.concat(chunks).toString(), '2345')
    assert.equal(await store.open('ws_a/v1/raw/missing.txt'), undefined)
    await mkdir(join(root, 'outside'))
    await writeFile(join(root, 'outside', 'y.txt'), 'outside')
    await symlink(join(root, 'outside'), join(root, 'blobs', 'ws_a', 'v2'))
    await assert.rejects(store.open('ws_a/v2/y.txt'), { code: 'storage_link_refused' })
  } finally {
    await rm(root, { recursive: true, force: true })
  }
})
