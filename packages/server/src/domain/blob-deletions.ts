/**
 * Deleting the bytes of a deleted file. The delete's transaction queued the blob
 * (MetadataStore.deleteFile); `deleteNow` tries at once, and `retryDue`, run every few seconds by
 * the server (and by `admin gc`), retries what failed, e.g. while S3 is down or the disk is
 * read-only. Several processes may run it at once: deleting twice is fine.
 */
import { crashPoint } from '../crash-points.ts'
import { type Clock, isoNow } from './clock.ts'
import type { BlobStore, MetadataStore } from './ports.ts'

export interface BlobDeletionsOptions {
  /** Wait before retrying a failed deletion. */
  retryAfterMs: number
  onError: (error: unknown, context: string) => void
  clock: Clock
}

export class BlobDeletions {
  readonly #metadata: MetadataStore
  readonly #blobs: BlobStore
  readonly #options: BlobDeletionsOptions

  constructor(metadata: MetadataStore, blobs: BlobStore, options: BlobDeletionsOptions) {
    this.#metadata = metadata
    this.#blobs = blobs
    this.#options = options
  }

  /**
   * Deletes the blob if a committed change queued it (a blob another file still shares is never
   * queued); never throws: a failure leaves the deletion queued for the next retry.
   */
  async deleteNow(blobName: string): Promise<boolean> {
    try {
      if (!(await this.#metadata.isDeletionPending(blobName))) return true
      await this.#blobs.delete(blobName)
      crashPoint('deletion.unlinked')
      await this.#metadata.finishDeletion(blobName)
      return true
    } catch (error) {
      this.#options.onError(error, `deleting blob ${blobName} (queued, will retry)`)
      const next = new Date(this.#options.clock.now() + this.#options.retryAfterMs).toISOString()
      await this.#metadata.postponeDeletion(blobName, next).catch(() => {})
      return false
    }
  }

  /** `admin gc`: every queued deletion now, due or not. */
  retryAll(): Promise<{ deletedBlobs: number; pendingBlobs: number }> {
    // The latest time an ISO string sorts after every real one (the queue compares strings).
    return this.#retryUntil('9999-12-31T23:59:59.999Z')
  }

  /** Retries every deletion that is due; answers how many blobs are gone now. */
  retryDue(): Promise<{ deletedBlobs: number; pendingBlobs: number }> {
    return this.#retryUntil(isoNow(this.#options.clock))
  }

  async #retryUntil(now: string): Promise<{ deletedBlobs: number; pendingBlobs: number }> {
    let deleted = 0
    let pending = 0
    // Bounded, in case postponing fails too: the next run takes the rest.
    for (let pass = 0; pass < 100; pass++) {
      const due = await this.#metadata.listDueDeletions(now, 100)
      for (const blobName of due) {
        if (await this.deleteNow(blobName)) deleted++
        else pending++
      }
      // Failed ones were postponed past `now`, so each pass takes new rows.
      if (due.length < 100) break
    }
    return { deletedBlobs: deleted, pendingBlobs: pending }
  }
}
