import assert from 'node:assert/strict'
import { test } from 'node:test'
import { randomId } from './ids.ts'

test('random ids keep their length and alphabet across refills of the random pool', () => {
  // 1,000 ids of 16 bytes draw the 4 KiB pool about four times.
  const ids = Array.from({ length: 1000 }, () => randomId())
  for (const id of ids) assert.match(id, /^[0-9a-z]{16}$/)
  assert.equal(new Set(ids).size, ids.length)
  assert.match(randomId(12), /^[0-9a-z]{12}$/)
})

test('an id longer than the pool comes straight from the CSPRNG', () => {
  const long = randomId(5000)
  assert.match(long, /^[0-9a-z]{5000}$/)
  assert.notEqual(long, randomId(5000))
})
