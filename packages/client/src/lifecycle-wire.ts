/**
 * Wire shapes of the data-lifecycle calls (issue 14) as the client names them.
 */
import type { FileInfo, FolderCopied, FolderMoved, JobInfo } from '@granary/protocol'

/** A folder move or copy the server runs in the background (`202 {"job_id"}`). */
export type Job = JobInfo

/** A move or copy answers the file for a key, a count for a folder. */
export type MoveResult = FileInfo | FolderMoved | FolderCopied
