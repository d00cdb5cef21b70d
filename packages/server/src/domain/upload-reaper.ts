import { crashPoint } from '../crash-points.ts'
import { auditContext } from './audit.ts'
import { type Principal, requirePermission } from './auth.ts'
import { blobOfStaged } from './blob-names.ts'
import { type Clock, isoNow } from './clock.ts'
import type { BlobStore, MetadataStore } from './ports.ts'
import { discardBytes } from './upload.ts'

export interface ReapReport {
  expiredUploads: number
  /** Blobs nothing referred to (left by a crash between storing bytes and committing them). */
  orphanBlobs: number
  reclaimedBytes: number
}

export interface ReaperOptions {
  /** A blob younger than this is never an orphan: its upload may be about to commit. */
  orphanGraceMs: number
  clock: Clock
}

/**
 * Garbage collection. `expireUploads` ends uploads whose idle or hard deadline passed: marks them
 * expired (so a late confirm finds nothing), then deletes their bytes (a PUT blob, or a session's
 * parts). `sweepOrphans` deletes blobs no file and no open upload refers to. Several processes may
 * run it at once: only the one that closes an upload deletes its bytes, and deleting twice is fine.
 */
export class UploadReaper {
  readonly #metadata: MetadataStore
  readonly #blobs: BlobStore
  readonly #options: ReaperOptions

  constructor(metadata: MetadataStore, blobs: BlobStore, options: ReaperOptions) {
    this.#metadata = metadata
    this.#blobs = blobs
    this.#options = options
  }

  /** `granary admin gc`: both, now. */
  async runAs(principal: Principal): Promise<ReapReport> {
    requirePermission(principal, 'admin')
    const expired = await this.expireUploads()
    const orphans = await this.sweepOrphans()
    return {
      expiredUploads: expired.expiredUploads,
      orphanBlobs: orphans.orphanBlobs,
      reclaimedBytes: expired.reclaimedBytes + orphans.reclaimedBytes,
    }
  }

  async expireUploads(): Promise<ReapReport> {
    const report: ReapReport = { expiredUploads: 0, orphanBlobs: 0, reclaimedBytes: 0 }
    const now = isoNow(this.#options.clock)
    for (;;) {
      const batch = await this.#metadata.listExpiredUploads(now, 100)
      for (const upload of batch) {
        // The server itself expires it: an event without an actor.
        const audit = auditContext(null, this.#options.clock)
        if (!(await this.#metadata.closeUpload(upload.id, 'expired', { audit }))) continue
        report.expiredUploads++
        report.reclaimedBytes += await discardBytes(this.#blobs, upload)
      }
      if (batch.length < 100) return report
    }
  }

  /** Reads the whole store once: run it rarely (daily in the background) or on demand. */
  async sweepOrphans(): Promise<ReapReport> {
    const report: ReapReport = { expiredUploads: 0, orphanBlobs: 0, reclaimedBytes: 0 }
    const cutoff = this.#options.clock.now() - this.#options.orphanGraceMs
    for await (const blob of this.#blobs.listBlobs()) {
      if (blob.modifiedAt.getTime() > cutoff) continue
      if (await this.#isReferenced(blob.name)) continue
      crashPoint('reaper.sweep')
      await this.#blobs.delete(blob.name)
      report.orphanBlobs++
      report.reclaimedBytes += blob.size
    }
    return report
  }

  /** A staged object is kept while its upload is open; after confirm it is replay garbage. */
  async #isReferenced(name: string): Promise<boolean> {
    const owner = blobOfStaged(name)
    if (owner === undefined) return this.#metadata.isBlobReferenced(name)
    const upload = await this.#metadata.getUploadByBlob(owner)
    return (
      upload?.status === 'pending' ||
      upload?.status === 'received' ||
      upload?.status === 'verifying'
    )
  }
}
