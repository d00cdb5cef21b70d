import { type Principal, requirePermission } from './auth.ts'
import { discardBytes } from './multipart-service.ts'
import type { BlobStore, MetadataStore } from './ports.ts'

export interface ReapReport {
  expired_uploads: number
  reclaimed_bytes: number
}

/**
 * Ends uploads whose idle or hard deadline passed: marks them expired (so a late confirm finds
 * nothing), then deletes their bytes (a PUT blob, or a session's parts). Runs in the background
 * and on demand (`granary admin gc`); several processes may run it at once, since only the one
 * that closes an upload deletes its bytes.
 */
export class UploadReaper {
  readonly #metadata: MetadataStore
  readonly #blobs: BlobStore

  constructor(metadata: MetadataStore, blobs: BlobStore) {
    this.#metadata = metadata
    this.#blobs = blobs
  }

  async runAs(principal: Principal): Promise<ReapReport> {
    requirePermission(principal, 'admin')
    return this.run()
  }

  async run(now = new Date()): Promise<ReapReport> {
    const report: ReapReport = { expired_uploads: 0, reclaimed_bytes: 0 }
    for (;;) {
      const batch = await this.#metadata.listExpiredUploads(now.toISOString(), 100)
      for (const upload of batch) {
        if (!(await this.#metadata.closeUpload(upload.id, 'expired'))) continue
        report.expired_uploads++
        report.reclaimed_bytes += await discardBytes(this.#blobs, upload)
      }
      if (batch.length < 100) return report
    }
  }
}
