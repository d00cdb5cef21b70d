import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseRange } from './byte-ranges.ts'

test('single ranges, suffixes and open ends', () => {
  assert.deepEqual(parseRange('bytes=0-3', 10), { start: 0, end: 3 })
  assert.deepEqual(parseRange('bytes=5-', 10), { start: 5, end: 9 })
  assert.deepEqual(parseRange('bytes=-4', 10), { start: 6, end: 9 })
  assert.deepEqual(parseRange('bytes=-40', 10), { start: 0, end: 9 })
  assert.deepEqual(parseRange('bytes=8-100', 10), { start: 8, end: 9 })
})

test('what is ignored (whole body) and what is unsatisfiable', () => {
  for (const header of [undefined, '', 'bytes=0-1,4-5', 'items=0-1', 'bytes=5-2', 'bytes=-']) {
    assert.equal(parseRange(header, 10), undefined, String(header))
  }
  assert.equal(parseRange('bytes=0-0', 0), undefined)
  assert.throws(() => parseRange('bytes=10-', 10), { code: 'range_not_satisfiable' })
  assert.throws(() => parseRange('bytes=-0', 10), { code: 'range_not_satisfiable' })
})
