import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
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
