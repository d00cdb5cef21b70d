/**
 * What the metadata store does for move, copy and folder operations, and for the jobs that run
 * the big ones in batches. Part of the MetadataStore port (ports.ts); kept here so the move
 * feature reads in one place.
 */
import type { AuditContext } from './audit.ts'
import type { FileRecord } from './ports.ts'

/** One file or one folder (both keys end in '/') to move or copy inside a workspace. */
export interface MoveRequest {
  workspaceId: string
  from: string
  to: string
  /** Replace files already at the target keys instead of answering file_exists. */
  overwrite: boolean
  /** The time the change is stamped with (ISO 8601). */
  now: string
  /** Given, each file moved or copied is recorded (file.move / file.copy) in the transaction. */
  audit?: AuditContext | undefined
}

export interface FileMoveResult {
  /** The file at its new key: the moved one (same id) or the new copy (new id). */
  file: FileRecord
  /** Blobs no file refers to any more (an overwritten target's), already queued for deletion. */
  freedBlobNames: string[]
}

export interface FolderStepResult {
  /** Files moved or copied by this call. */
  count: number
  /** The last source key handled (copies resume after it). */
  lastKey: string | undefined
  /** Blobs no file refers to any more, already queued for deletion. */
  freedBlobNames: string[]
}

export type JobKind = 'move' | 'copy'
export type JobStatus = 'running' | 'done' | 'failed'

/** A folder operation too big for one transaction, run in batches (domain/jobs.ts). */
export interface JobRecord {
  id: string
  workspaceId: string
  kind: JobKind
  /** Folder keys, both ending in '/'. */
  from: string
  to: string
  overwrite: boolean
  status: JobStatus
  /** Files when the job started (an estimate: files may come and go meanwhile). */
  total: number
  done: number
  /** Copies: the last source key copied; the next batch starts after it. */
  cursor: string | null
  /** Why a failed job stopped. */
  error: { code: string; message: string } | null
  /** Who started it: each batch records its files on their behalf (its `at` is the batch's). */
  audit: AuditContext | null
  createdAt: string
  updatedAt: string
}

export interface JobBatchResult {
  job: JobRecord
  freedBlobNames: string[]
}

export interface FileMoveStore {
  /**
   * Changes one file's key in one transaction, keeping its id and history. Missing `from` ->
   * file_not_found; `to` exists and overwrite=false -> file_exists (with overwrite, the file at
   * `to` is removed in the same transaction).
   */
  moveFile(request: MoveRequest): Promise<FileMoveResult>
  /** Adds a file `id` at `to` sharing `from`'s blob (no byte copied). Errors as moveFile. */
  copyFile(request: MoveRequest & { id: string }): Promise<FileMoveResult>
  /**
   * Moves every file under the folder `from` to `to` in one transaction. None -> file_not_found;
   * a target exists and overwrite=false -> file_exists, nothing moved.
   */
  moveFolder(request: MoveRequest): Promise<FolderStepResult>
  /** Copies every file under `from` to `to` in one transaction (new ids, shared blobs). */
  copyFolder(request: MoveRequest): Promise<FolderStepResult>
  /** Files whose key starts with `prefix`, counting at most `cap + 1`. */
  countUnder(workspaceId: string, prefix: string, cap: number): Promise<number>

  createJob(job: JobRecord): Promise<void>
  getJob(id: string): Promise<JobRecord | undefined>
  /**
   * Runs the job's next batch of at most `limit` files in one transaction that also records the
   * progress; the last batch marks it done. A file_exists in the batch rolls it back and marks
   * the job failed. A job that is not running is answered unchanged.
   */
  runJobBatch(id: string, options: { limit: number; now: string }): Promise<JobBatchResult>
  /** Running jobs, oldest first (a restarted server resumes them). */
  listRunningJobs(limit: number): Promise<JobRecord[]>
}
