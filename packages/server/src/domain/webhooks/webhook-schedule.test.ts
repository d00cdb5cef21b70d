import assert from 'node:assert/strict'
import { test } from 'node:test'
import { GIVE_UP_AFTER_MS, MAX_RETRY_MS, nextAttemptAt, retryDelayMs } from './webhook-schedule.ts'

test('the wait doubles from 30 s, half of it jittered, capped at 2 h', () => {
  assert.deepEqual(
    [1, 2, 3].map((n) => [retryDelayMs(n, 0), retryDelayMs(n, 0.999999)]),
    [
      [15_000, 30_000],
      [30_000, 60_000],
      [60_000, 120_000],
    ],
  )
  assert.equal(retryDelayMs(40, 1), MAX_RETRY_MS)
  assert.equal(retryDelayMs(40, 0), MAX_RETRY_MS / 2)
})

test('no attempt is scheduled past 24 h after the event', () => {
  const createdAt = '2026-01-01T00:00:00.000Z'
  const start = Date.parse(createdAt)
  const early = nextAttemptAt({ createdAt, now: start, attempts: 1, random: 0.5 })
  assert.equal(early, new Date(start + 22_500).toISOString())
  const late = start + GIVE_UP_AFTER_MS - 60_000
  assert.equal(nextAttemptAt({ createdAt, now: late, attempts: 20, random: 0 }), null)
})
