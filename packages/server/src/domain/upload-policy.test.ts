import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MAX_PART_SIZE, MIN_PART_SIZE, partLength, partSizeFor } from './upload-policy.ts'

const MiB = 1024 * 1024
const GiB = 1024 * MiB

test('part sizes: the hint, clamped to 5 MiB..5 GiB, and never more than 10,000 parts', () => {
  assert.equal(partSizeFor(10 * GiB, 64 * MiB), 64 * MiB)
  assert.equal(partSizeFor(10 * GiB, 1), MIN_PART_SIZE)
  assert.equal(partSizeFor(10 * GiB, 50 * GiB), MAX_PART_SIZE)
  assert.equal(partSizeFor(10 * GiB, 6.5 * MiB), 7 * MiB, 'whole MiB')
  const fiveTiB = 5 * 1024 * GiB
  const size = partSizeFor(fiveTiB, 64 * MiB)
  assert.ok(Math.ceil(fiveTiB / size) <= 10_000)
  assert.ok(size <= MAX_PART_SIZE)
})

test('part lengths: equal parts and a shorter last one', () => {
  assert.equal(partLength(12 * MiB, 5 * MiB, 1), 5 * MiB)
  assert.equal(partLength(12 * MiB, 5 * MiB, 3), 2 * MiB)
  assert.equal(partLength(12 * MiB, 5 * MiB, 4), 0)
})
