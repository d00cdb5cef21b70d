/**
 * The upload model: how an upload (one PUT, or a multipart session) is made, which status it is
 * in, when it expires, and what it may still do. The services and the reaper ask these rules;
 * the metadata store makes each status change atomic.
 *
 *   pending --bytes PUT to Granary--> received --confirm--> completed
 *   pending --confirm (bytes PUT straight to S3, or parts joined)--> completed
 *   pending | received --wrong size or checksum at confirm--> failed
 *   pending | received --client abort--> aborted;  --deadline passed (the reaper)--> expired
 *
 * Deadlines: the idle deadline (`expiresAt`) is pushed back by activity (signing or receiving
 * parts) but never past the hard deadline (a session's `deadlineAt`: created + the maximum age).
 * Once the idle deadline passes, the upload is treated as gone even before the reaper marks it.
 */

import { crashPoint } from '../crash-points.ts'
import { stagedNameFor } from './blob-names.ts'
import type { Clock } from './clock.ts'
import type {
  BlobStore,
  MultipartLayout,
  MultipartSession,
  MultipartUpload,
  SinglePutUpload,
  StoredPart,
  Upload,
} from './ports.ts'
import type { UploadPolicy } from './upload-policy.ts'

export type NewUpload = Omit<
  SinglePutUpload,
  'status' | 'receivedSha256' | 'createdAt' | 'expiresAt' | 'multipart'
>

/** A pending single-PUT upload starting now, idle-expiring after the policy's idle timeout. */
export function newUpload(fields: NewUpload, clock: Clock, policy: UploadPolicy): SinglePutUpload {
  const now = clock.now()
  return {
    ...fields,
    status: 'pending',
    receivedSha256: null,
    createdAt: new Date(now).toISOString(),
    expiresAt: new Date(now + policy.idleTimeoutMs).toISOString(),
    multipart: null,
  }
}

/** The same upload as a multipart session, which ends at created + the policy's maximum age. */
export function asSession(
  upload: SinglePutUpload,
  layout: Omit<MultipartLayout, 'deadlineAt'>,
  policy: UploadPolicy,
): MultipartUpload {
  const deadlineAt = new Date(Date.parse(upload.createdAt) + policy.maxAgeMs).toISOString()
  return { ...upload, multipart: { ...layout, deadlineAt } }
}

/** Pending or received: not yet completed, failed, aborted or expired. */
export function isOpen(upload: Upload): boolean {
  return upload.status === 'pending' || upload.status === 'received'
}

/** The idle deadline has passed (whether or not the reaper has marked it yet). */
export function isExpired(upload: Upload, clock: Clock): boolean {
  return Date.parse(upload.expiresAt) <= clock.now()
}

/** Open and within its deadline: it may still receive bytes, sign parts and be confirmed. */
export function isLive(upload: Upload, clock: Clock): boolean {
  return isOpen(upload) && !isExpired(upload, clock)
}

/** What a PUT of a single-PUT upload's bytes may do: each upload takes its bytes once. */
export function putVerdict(upload: Upload, clock: Clock): 'accept' | 'already_received' | 'gone' {
  if (upload.multipart !== null || isExpired(upload, clock)) return 'gone'
  if (upload.status === 'received' || upload.status === 'completed') return 'already_received'
  return upload.status === 'pending' ? 'accept' : 'gone'
}

/** A session that still takes parts: pending and within its deadline. */
export function acceptsParts(upload: Upload | undefined, clock: Clock): upload is MultipartUpload {
  return upload?.multipart != null && upload.status === 'pending' && !isExpired(upload, clock)
}

/** The idle deadline after activity now: now + the idle timeout, never past the hard deadline. */
export function idleDeadlineAfterActivity(
  upload: Upload,
  clock: Clock,
  policy: UploadPolicy,
): string {
  const idle = clock.now() + policy.idleTimeoutMs
  const hard = Date.parse(upload.multipart?.deadlineAt ?? upload.expiresAt)
  return new Date(Math.min(idle, hard)).toISOString()
}

/** The store's session of a multipart upload. */
export function sessionOf(upload: MultipartUpload): MultipartSession {
  return { blobName: upload.blobName, storeUploadId: upload.multipart.storeUploadId }
}

/** Deletes what an upload that will never complete holds in the store; answers the bytes freed. */
export async function discardBytes(blobs: BlobStore, upload: Upload): Promise<number> {
  crashPoint('discard.closed')
  if (upload.multipart === null) {
    // The blob, or the staged object a direct PUT to the store left (not yet adopted at confirm).
    let size = 0
    for (const name of [upload.blobName, stagedNameFor(upload.blobName)]) {
      size += (await blobs.stat(name))?.size ?? 0
      await blobs.delete(name)
    }
    return size
  }
  const session = sessionOf(upload)
  const parts = await blobs.listParts(session).catch((): StoredPart[] => [])
  await blobs.abortMultipart(session)
  return parts.reduce((sum, part) => sum + part.size, 0)
}
