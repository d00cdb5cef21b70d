import assert from 'node:assert/strict'
import { test } from 'node:test'
import { IndexCache } from './index-cache.ts'

test('a cached value is loaded once, by blob name', async () => {
  const cache = new IndexCache(100)
  let loads = 0
  const load = async () => ++loads
  assert.equal(await cache.get('a', load, () => 10), 1)
  assert.equal(await cache.get('a', load, () => 10), 1)
  assert.equal(await cache.get('b', load, () => 10), 2)
  assert.equal(cache.bytes, 20)
})

test('the least recently used entries go first once over the byte bound', async () => {
  const cache = new IndexCache(30)
  await cache.get(
    'a',
    async () => 'a',
    () => 10,
  )
  await cache.get(
    'b',
    async () => 'b',
    () => 10,
  )
  await cache.get(
    'a',
    async () => 'a again',
    () => 10,
  )
  await cache.get(
    'c',
    async () => 'c',
    () => 15,
  )
  assert.equal(cache.has('b'), false)
  assert.deepEqual([cache.has('a'), cache.has('c'), cache.bytes], [true, true, 25])
})

test('a failed load is not kept; a value larger than the bound is not cached', async () => {
  const cache = new IndexCache(30)
  await assert.rejects(
    cache.get(
      'x',
      async () => Promise.reject(new Error('boom')),
      () => 5,
    ),
  )
  assert.equal(
    await cache.get(
      'x',
      async () => 'ok',
      () => 5,
    ),
    'ok',
  )
  assert.equal(
    await cache.get(
      'huge',
      async () => 'big',
      () => 31,
    ),
    'big',
  )
  assert.equal(cache.has('huge'), false)
})
