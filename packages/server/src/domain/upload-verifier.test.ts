import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { MetadataStore, Upload } from './ports.ts'
import { UploadVerifier } from './upload-verifier.ts'

/** The metadata calls the verifier makes, over one queue of uploads to verify. */
function fakeMetadata(queue: Upload[]) {
  const calls: string[] = []
  const metadata = {
    claimVerification: async () => queue.shift(),
    recordVerification: async (id: string, bytes: number) => {
      calls.push(`progress ${id} ${bytes}`)
    },
    releaseVerification: async (id: string) => {
      calls.push(`release ${id}`)
    },
  } as unknown as MetadataStore
  return { metadata, calls }
}

const upload = (id: string) => ({ id }) as Upload

test('the verifier reports progress at most once a second and drains every claimed upload', async () => {
  let now = 0
  const { metadata, calls } = fakeMetadata([upload('up_a'), upload('up_b')])
  const verified: string[] = []
  let finished = () => {}
  const done = new Promise<void>((resolve) => {
    finished = resolve
  })
  const verifier = new UploadVerifier({
    metadata,
    clock: { now: () => now },
    async verify(one, onProgress) {
      for (const bytes of [100, 200, 300]) {
        now += 600 // 0.6 s per step: the 2nd step passes a second since the last write
        onProgress(bytes)
      }
      verified.push(one.id)
      if (verified.length === 2) finished()
    },
    concurrency: 1,
    claimMs: 60_000,
    pollMs: 60_000,
    onError: (error) => assert.fail(String(error)),
  })
  verifier.start()
  await done
  await verifier.stop()
  assert.deepEqual(verified, ['up_a', 'up_b'])
  assert.deepEqual(calls, ['progress up_a 200', 'progress up_b 200'])
})

test('a verification that throws is released for a later attempt, and reported', async () => {
  const { metadata, calls } = fakeMetadata([upload('up_c')])
  const errors: unknown[] = []
  const verifier = new UploadVerifier({
    metadata,
    clock: { now: () => 0 },
    verify: async () => {
      throw new Error('store down')
    },
    concurrency: 1,
    claimMs: 60_000,
    pollMs: 5000,
    onError: (error) => errors.push(error),
  })
  verifier.start()
  await verifier.stop()
  assert.deepEqual(calls, ['release up_c'])
  assert.equal((errors[0] as Error).message, 'store down')
})

test('concurrency 0: this process verifies nothing', async () => {
  const { metadata } = fakeMetadata([upload('up_d')])
  const verifier = new UploadVerifier({
    metadata,
    clock: { now: () => 0 },
    verify: async () => assert.fail('verified'),
    concurrency: 0,
    claimMs: 60_000,
    pollMs: 5000,
    onError: () => {},
  })
  verifier.start()
  verifier.wake()
  await verifier.stop()
})
