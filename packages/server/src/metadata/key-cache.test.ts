import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import type { KeyRecord } from '../domain/ports.ts'
import { KeyCache } from './key-cache.ts'
import { openSqliteStore } from './sqlite/open-sqlite-store.ts'

const key = (revokedAt: string | null = null): KeyRecord => ({
  id: 'key_cached',
  name: 'cached',
  scopes: ['files'],
  workspaceIds: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  expiresAt: null,
  revokedAt,
  secretHash: 'hash',
})

/** A database whose key row the test changes, counting reads. */
function table() {
  const state = { row: key() as KeyRecord | undefined, reads: 0 }
  const load = async () => {
    state.reads += 1
    return state.row
  }
  return { state, load }
}

test('a found key is read again once its time is up, so another process revokes it within ttl', async () => {
  let now = 0
  const cache = new KeyCache({ ttlMs: 1000, now: () => now })
  const { state, load } = table()
  assert.equal((await cache.find('hash', load))?.revokedAt, null)
  state.row = key('2026-01-02T00:00:00.000Z') // revoked elsewhere
  now = 999
  assert.equal((await cache.find('hash', load))?.revokedAt, null, 'trusted for ttl')
  assert.equal(state.reads, 1)
  now = 1000
  assert.ok((await cache.find('hash', load))?.revokedAt, 'read again after ttl')
  assert.equal(state.reads, 2)
})

test('forget() makes the next lookup read, and a lookup in flight across it stores nothing', async () => {
  const cache = new KeyCache({ ttlMs: 60_000, now: () => 0 })
  const { state, load } = table()
  await cache.find('hash', load)
  cache.forget()
  await cache.find('hash', load)
  assert.equal(state.reads, 2)
  cache.forget()
  let release: () => void = () => {}
  const slow = cache.find('hash', async () => {
    await new Promise<void>((resolve) => {
      release = resolve
    })
    return key() // read before the revocation committed
  })
  cache.forget() // the revocation answers while that read is in flight
  release()
  assert.equal((await slow)?.revokedAt, null)
  state.row = key('2026-01-02T00:00:00.000Z')
  assert.ok((await cache.find('hash', load))?.revokedAt, 'the stale read was not kept')
})

test('unknown secrets are never kept; ttl 0 reads every time', async () => {
  const cache = new KeyCache({ ttlMs: 1000, now: () => 0 })
  const { state, load } = table()
  state.row = undefined
  await cache.find('hash', load)
  await cache.find('hash', load)
  assert.equal(state.reads, 2)
  const off = new KeyCache({ ttlMs: 0 })
  state.row = key()
  await off.find('hash', load)
  await off.find('hash', load)
  assert.equal(state.reads, 4)
})

test('a store refuses a key it revoked on the next lookup, even while another store trusts it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'granary-key-cache-'))
  const file = join(dir, 'granary.sqlite')
  const one = await openSqliteStore(file, { keyCacheMs: 60_000 })
  const two = await openSqliteStore(file, { keyCacheMs: 60_000 })
  try {
    await one.createKey(key())
    assert.equal((await one.findKeyBySecretHash('hash'))?.revokedAt, null)
    assert.equal((await two.findKeyBySecretHash('hash'))?.revokedAt, null)
    await one.revokeKey('key_cached', '2026-01-02T00:00:00.000Z')
    assert.ok((await one.findKeyBySecretHash('hash'))?.revokedAt, 'at once where revoked')
    // The other process keeps its copy for its keyCacheMs (1 s by default, GRANARY_KEY_CACHE_MS).
    assert.equal((await two.findKeyBySecretHash('hash'))?.revokedAt, null)
  } finally {
    await Promise.all([one.close(), two.close()])
    await rm(dir, { recursive: true, force: true })
  }
})
