import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { clockFromEnv, OffsetClock, systemClock } from './clocks.ts'
import { ConfigError } from './config.ts'

test('a server process runs on real time unless a test run names a clock file', () => {
  assert.equal(clockFromEnv({}), systemClock)
  assert.equal(clockFromEnv({ NODE_ENV: 'test' }), systemClock)
})

test('GRANARY_TEST_CLOCK_FILE outside a test run refuses to start, naming the variable', () => {
  for (const NODE_ENV of [undefined, 'production', 'development']) {
    assert.throws(
      () => clockFromEnv({ NODE_ENV, GRANARY_TEST_CLOCK_FILE: '/tmp/clock' }),
      (error: unknown) =>
        error instanceof ConfigError && /GRANARY_TEST_CLOCK_FILE/.test(error.message),
    )
  }
})

test('in a test run, the clock is real time plus the offset in the file, re-read each time', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'granary-clock-'))
  try {
    const file = join(dir, 'offset')
    const clock = clockFromEnv({ NODE_ENV: 'test', GRANARY_TEST_CLOCK_FILE: file })
    const within = (offset: number) => {
      const before = Date.now()
      const now = clock.now()
      assert.ok(now >= before + offset && now <= Date.now() + offset, `offset ${offset}`)
    }
    within(0) // no file yet
    await writeFile(file, '-10000')
    within(-10_000)
    await writeFile(file, '3600000\n')
    within(3_600_000)
    await writeFile(file, 'soon')
    assert.throws(() => clock.now(), /not a number/)
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
})

test('an OffsetClock moves by what the test says, both ways', () => {
  const clock = new OffsetClock()
  const before = Date.now()
  clock.advance(60_000)
  clock.advance(-10_000)
  const now = clock.now()
  assert.ok(now >= before + 50_000 && now <= Date.now() + 50_000)
})
