/**
 * What DELETE /v1/files does with a file: to the trash when the workspace keeps one (trash_days
 * > 0), or gone at once (trash_days 0, the seed's behaviour). Either way in one transaction per
 * call; bytes nothing refers to any more are deleted after the commit.
 */
import type { AuditContext } from './audit.ts'
import type { BlobDeletions } from './blob-deletions.ts'
import { type Clock, isoNow } from './clock.ts'
import { randomId } from './ids.ts'
import type { MetadataStore } from './ports.ts'

export const newTrashGroupId = () => `grp_${randomId()}`

const DAY_MS = 86_400_000

export interface Removal {
  /** How many of the keys existed and were removed. */
  removed: number
  /** The trash group they went to; null when deleted at once. */
  groupId: string | null
}

export class FileRemoval {
  readonly #metadata: MetadataStore
  readonly #deletions: BlobDeletions
  readonly #clock: Clock

  constructor(metadata: MetadataStore, deletions: BlobDeletions, clock: Clock) {
    this.#metadata = metadata
    this.#deletions = deletions
    this.#clock = clock
  }

  /** Removes these keys (validated, authorized by the caller) as the workspace's settings say. */
  async remove(
    workspaceId: string,
    keys: readonly string[],
    audit?: AuditContext,
  ): Promise<Removal> {
    const audited = audit ? { audit } : {}
    const settings = await this.#metadata.getWorkspaceSettings(workspaceId)
    if (settings && settings.trashDays > 0) {
      const groupId = newTrashGroupId()
      const items = await this.#metadata.trashFiles({
        workspaceId,
        keys,
        groupId,
        ...this.trashDates(settings.trashDays),
        ...audited,
      })
      return { removed: items.length, groupId }
    }
    let removed = 0
    for (const key of keys) {
      const file = await this.#metadata.deleteFile(workspaceId, key, audited)
      if (!file) continue
      removed++
      await this.freeNow(file.freedBlobNames)
    }
    return { removed, groupId: null }
  }

  /** deleted_at now, purge_at `trashDays` later. */
  trashDates(trashDays: number): { deletedAt: string; purgeAt: string } {
    const now = this.#clock.now()
    return {
      deletedAt: isoNow(this.#clock),
      purgeAt: new Date(now + trashDays * DAY_MS).toISOString(),
    }
  }

  /** Deletes bytes a commit released (already queued, so a failure is retried later). */
  async freeNow(blobNames: readonly string[]): Promise<void> {
    for (const blobName of blobNames) await this.#deletions.deleteNow(blobName)
  }
}
