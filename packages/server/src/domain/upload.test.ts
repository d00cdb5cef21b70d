import assert from 'node:assert/strict'
import { test } from 'node:test'
import type { Clock } from './clock.ts'
import type { MultipartUpload, Upload, UploadStatus } from './ports.ts'
import {
  acceptsParts,
  asSession,
  idleDeadlineAfterActivity,
  isExpired,
  isLive,
  newUpload,
  putVerdict,
} from './upload.ts'
import type { UploadPolicy } from './upload-policy.ts'

const HOUR = 3600_000
const policy: UploadPolicy = {
  multipartThreshold: 100,
  partSize: 10,
  idleTimeoutMs: 24 * HOUR,
  maxAgeMs: 7 * 24 * HOUR,
  backgroundVerifyBytes: Number.POSITIVE_INFINITY,
}
const T0 = Date.parse('2030-01-01T00:00:00Z')
const at = (ms: number): Clock => ({ now: () => ms })

function single(): Upload {
  const fields = { id: 'up_1', workspaceId: 'ws_a', key: 'a.bin', blobName: 'ws_a/v/a.bin' }
  return newUpload(
    { ...fields, size: 10, contentType: 'x/y', description: null, sha256: null, overwrite: true },
    at(T0),
    policy,
  )
}

function session(): MultipartUpload {
  const upload = single()
  assert.equal(upload.multipart, null)
  return asSession(upload, { storeUploadId: 's1', partSize: 5, partCount: 2 }, policy)
}

test('a new upload is pending, idle-expires after the idle timeout; a session ends at its maximum age', () => {
  const upload = single()
  assert.equal(upload.status, 'pending')
  assert.equal(upload.createdAt, new Date(T0).toISOString())
  assert.equal(upload.expiresAt, new Date(T0 + 24 * HOUR).toISOString())
  assert.equal(session().multipart.deadlineAt, new Date(T0 + 7 * 24 * HOUR).toISOString())
})

test('an upload expires when its idle deadline passes, by the clock', () => {
  const upload = single()
  assert.equal(isExpired(upload, at(T0 + 24 * HOUR - 1)), false)
  assert.equal(isLive(upload, at(T0 + 24 * HOUR - 1)), true)
  assert.equal(isExpired(upload, at(T0 + 24 * HOUR)), true)
  assert.equal(isLive(upload, at(T0 + 24 * HOUR)), false)
})

test('a PUT is accepted once, while pending and live; anything else is gone', () => {
  const now = at(T0 + HOUR)
  const verdict = (status: UploadStatus) => putVerdict({ ...single(), status }, now)
  assert.equal(verdict('pending'), 'accept')
  assert.equal(verdict('received'), 'already_received')
  assert.equal(verdict('completed'), 'already_received')
  for (const status of ['failed', 'aborted', 'expired'] as const)
    assert.equal(verdict(status), 'gone')
  assert.equal(putVerdict(single(), at(T0 + 25 * HOUR)), 'gone', 'past its deadline')
  assert.equal(putVerdict(session(), now), 'gone', 'a session takes parts, not one PUT')
})

test('only a pending, live session takes parts', () => {
  const now = at(T0 + HOUR)
  assert.equal(acceptsParts(session(), now), true)
  assert.equal(acceptsParts(single(), now), false)
  assert.equal(acceptsParts(undefined, now), false)
  assert.equal(acceptsParts({ ...session(), status: 'aborted' }, now), false)
  assert.equal(acceptsParts(session(), at(T0 + 25 * HOUR)), false)
})

test('activity pushes the idle deadline back, never past the hard deadline', () => {
  const upload = session()
  const early = idleDeadlineAfterActivity(upload, at(T0 + HOUR), policy)
  assert.equal(early, new Date(T0 + 25 * HOUR).toISOString())
  const late = idleDeadlineAfterActivity(upload, at(T0 + 6.5 * 24 * HOUR), policy)
  assert.equal(late, upload.multipart.deadlineAt)
})
