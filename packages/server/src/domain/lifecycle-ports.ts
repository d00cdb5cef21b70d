/**
 * The metadata store's part for history and deletion (issue 14): workspace settings and usage,
 * older versions of a file, and the trash. MetadataStore (ports.ts) extends these.
 *
 * Blob references: a blob may be named by many rows (a file, its copies, versions, trash items,
 * an open upload). A method that drops a reference answers `freedBlobNames`: the blobs no row
 * refers to any more, already queued in pending_deletions in the same transaction, for the
 * caller to delete after the commit (BlobDeletions.deleteNow). To stay race-free, a transaction
 * that ADDS a reference to an existing blob must first lock (`for update`) a row that already
 * refers to it (the source file of a copy, the version being restored); a transaction that drops
 * a reference checks for the others after its own delete or update, so one of two racing
 * transactions always sees the other (metadata/blob-references.ts).
 * Mutations take `{ audit }` like the rest of the store (domain/audit.ts): file.delete (to the
 * trash), file.restore (a version or a trash item), version.delete, trash.purge,
 * workspace.update.
 */
import type { Audited } from './audit.ts'
import type { FileRecord } from './ports.ts'

/** Per-workspace settings; `PATCH /v1/workspaces/{id}` changes any subset. */
export interface WorkspaceSettings {
  /** Days a deleted file stays in the trash; 0 deletes at once. */
  trashDays: number
  /** Versions kept per file, the current one included; 1 keeps no history. */
  keepVersions: number
  /** Bytes the workspace may hold, versions and trash included (domain/quota.ts); null: no limit. */
  quotaBytes: number | null
  /** Files it may hold, versions and trash items included; null: no limit. */
  quotaFiles: number | null
}

/** Counters kept by the database's triggers: reading them is one row. */
export interface WorkspaceUsage {
  files: number
  bytes: number
  versions: number
  versionBytes: number
  trashFiles: number
  trashBytes: number
}

/** One version of a file: the current content or an older one. */
export interface VersionRecord {
  versionId: string
  fileId: string
  size: number
  sha256: string
  contentType: string
  blobName: string
  createdAt: string
  isCurrent: boolean
}

/** A deleted file waiting in the trash (its older versions stay with its file id). */
export interface TrashRecord {
  trashId: string
  /** Files trashed by one call share it, so a folder is restored together. */
  groupId: string
  /** The file as it was when deleted. */
  file: FileRecord
  deletedAt: string
  purgeAt: string
}

/** What a call that replaces, deletes or purges content answers. */
export interface FreedBlobs {
  /** Blobs no row refers to any more, queued for deletion in the same transaction. */
  freedBlobNames: string[]
}

export interface TrashRange {
  workspaceId: string
  /** Items whose key starts with this. */
  prefix: string
  /** Items after this (key, trash id), exclusive. */
  after?: { key: string; trashId: string }
  limit: number
}

export interface TrashRequest extends Audited {
  workspaceId: string
  keys: readonly string[]
  groupId: string
  deletedAt: string
  purgeAt: string
}

export interface TrashRestoreRequest extends Audited {
  workspaceId: string
  trashId: string
  /** Put it back under this key instead of its own. */
  to?: string
  /** Replace a file that now exists at the key (that file goes to the trash, in `groupId`). */
  overwrite: boolean
  /** Group id and purge date for a file that `overwrite` sends to the trash. */
  displaced: { groupId: string; deletedAt: string; purgeAt: string }
}

export interface WorkspaceSettingsStore {
  /** Missing workspace -> undefined. */
  getWorkspaceSettings(workspaceId: string): Promise<WorkspaceSettings | undefined>
  /** Sets the given fields and answers all of them; missing workspace -> undefined. */
  updateWorkspaceSettings(
    workspaceId: string,
    changes: Partial<WorkspaceSettings>,
    options?: Audited,
  ): Promise<WorkspaceSettings | undefined>
  /** Missing workspace -> undefined. */
  getWorkspaceUsage(workspaceId: string): Promise<WorkspaceUsage | undefined>
}

export interface VersionStore {
  /** The file's versions newest first, the current one first; missing file -> undefined. */
  listVersions(workspaceId: string, key: string): Promise<VersionRecord[] | undefined>
  /** One version of the file at `key` (current or older); missing -> undefined. */
  getVersion(
    workspaceId: string,
    key: string,
    versionId: string,
  ): Promise<VersionRecord | undefined>
  /**
   * Makes an older version's content current again as a new version, in one transaction.
   * Missing file or version -> undefined. Pruning beyond keep_versions frees blobs.
   */
  restoreVersion(
    workspaceId: string,
    key: string,
    options: { versionId: string; at: string } & Audited,
  ): Promise<(FreedBlobs & { file: FileRecord }) | undefined>
  /** Removes one older version for good. Current -> version_is_current; missing -> undefined. */
  deleteVersion(
    workspaceId: string,
    key: string,
    versionId: string,
    options?: Audited,
  ): Promise<FreedBlobs | undefined>
}

export interface TrashStore {
  /**
   * Moves these files (with their versions) to the trash in one transaction, all with
   * `groupId`; keys that do not exist are skipped. Answers the new trash items.
   */
  trashFiles(request: TrashRequest): Promise<TrashRecord[]>
  /** The workspace's trash in (key, trash id) order within the range. */
  listTrash(range: TrashRange): Promise<TrashRecord[]>
  getTrashItem(workspaceId: string, trashId: string): Promise<TrashRecord | undefined>
  /**
   * Puts the item back as a file, with its id and versions. Missing (or restored or purged by a
   * racing call) -> trash_item_not_found; a file at the key without overwrite -> file_exists.
   */
  restoreTrashItem(request: TrashRestoreRequest): Promise<FileRecord>
  /** Every item of a group, in one transaction; same rules, no `to`. Answers the files. */
  restoreTrashGroup(
    request: Omit<TrashRestoreRequest, 'trashId' | 'to'> & { groupId: string },
  ): Promise<FileRecord[]>
  /** Deletes the item and its versions for good; missing -> undefined. */
  purgeTrashItem(
    workspaceId: string,
    trashId: string,
    options?: Audited,
  ): Promise<FreedBlobs | undefined>
  /** Items whose purge_at passed before `now`, at most `limit`, for the reaper. */
  listExpiredTrash(now: string, limit: number): Promise<{ workspaceId: string; trashId: string }[]>
}
