/**
 * Wire shapes of the data-lifecycle calls (issue 14: versions, trash, move, copy, folders, jobs,
 * workspace settings and usage), as docs/api.md describes them.
 */
import type {
  FileInfo,
  FolderCopied,
  FolderMoved,
  JobInfo,
  FileVersion as ProtocolFileVersion,
  FolderDeleted as ProtocolFolderDeleted,
  TrashItem as ProtocolTrashItem,
  TrashListResponse,
  WorkspaceDetail,
  WorkspaceUsageResponse,
} from '@granary/protocol'

/** One stored version of a file, newest first in a listing. */
export type FileVersion = ProtocolFileVersion

/** One file in the trash; `trash_id` restores or purges it, `group_id` restores a folder. */
export type TrashItem = ProtocolTrashItem

export type TrashPage = TrashListResponse

/** A workspace with its data-lifecycle settings (`trash_days`, `keep_versions`). */
export type WorkspaceSettings = WorkspaceDetail

/** Bytes a workspace holds, split by where they are referenced from. */
export type WorkspaceUsage = WorkspaceUsageResponse

/** A folder move or copy the server runs in the background (`202 {"job_id"}`). */
export type Job = JobInfo

/**
 * What a recursive delete answers: how many files went, and the trash group they share
 * (`trash.restoreGroup`); `group_id` is null when the workspace keeps no trash.
 */
export type FolderDeleted = ProtocolFolderDeleted

/** A move or copy answers the file for a key, a count for a folder. */
export type MoveResult = FileInfo | FolderMoved | FolderCopied
