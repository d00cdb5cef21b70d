/**
 * The two ports the domain depends on. Adapters live in ../storage and ../metadata and are
 * wired in ../compose.ts; nothing here imports them.
 */
import type { Readable } from 'node:stream'
import type { ErrorCode, Scope } from '@granary/protocol'
import type { Audited, AuditLog } from './audit.ts'
import type {
  FreedBlobs,
  TrashStore,
  VersionStore,
  WorkspaceSettingsStore,
} from './lifecycle-ports.ts'
import type { LinkGrant, LinkGrants } from './link-grants.ts'
import type { FileMoveStore } from './move-ports.ts'
import type { WebhookStore } from './webhooks/webhook-ports.ts'

export interface IoOptions {
  signal?: AbortSignal
}

export interface PutBlobOptions extends IoOptions {
  /** The body must be exactly this long: more -> upload_too_large, fewer -> upload_incomplete. */
  exactSize?: number
  /** The body may be at most this long: more -> upload_too_large (nothing kept). */
  maxSize?: number
  /** The message of the upload_too_large error, saying what to do instead. */
  tooLargeMessage?: string
  contentType?: string
}

export interface StoredBlob {
  size: number
  /** Lower-case hex SHA-256, computed while streaming; null when the store cannot tell. */
  sha256: string | null
}

export interface BlobListing {
  name: string
  size: number
  modifiedAt: Date
}

/** A blob opened to serve it: read() once (it closes the file when done), or close(). */
export interface OpenStoredBlob {
  readonly size: number
  read(range?: ByteRange): Readable
  close(): Promise<void>
}

export interface ByteRange {
  /** First byte, inclusive. */
  start: number
  /** Last byte, inclusive. */
  end: number
}

/**
 * Immutable blobs by name. A name is written once; a replaced file gets a new name.
 * Names look like `<workspace>/<version>/<key>` so operators can find a file in the store.
 */
export interface BlobStore extends MultipartStore {
  /** Streams body into a new blob, computing its SHA-256; visible only once complete. Exists -> upload_already_received. */
  put(name: string, body: Readable, options?: PutBlobOptions): Promise<StoredBlob>
  /** Size (and SHA-256 when known) of a complete blob, or undefined when it does not exist. */
  stat(name: string, options?: IoOptions): Promise<StoredBlob | undefined>
  /** The blob's bytes, or a range of them. Missing -> file_not_found. */
  read(name: string, options?: IoOptions & { range?: ByteRange }): Promise<Readable>
  /**
   * Optional: the blob opened once to serve it, its size and its bytes from the same open file
   * (saves a stat and a second path check per request). Missing -> undefined. Stores without it
   * are served by stat() then read().
   */
  open?(name: string): Promise<OpenStoredBlob | undefined>
  /**
   * Makes the bytes a client PUT straight to the store under `staged` the blob `name`: checks
   * they are `exactSize` bytes (else size_mismatch, the staged bytes deleted), hashes them and
   * copies exactly the hashed version (a write racing the copy fails it: upload_superseded), then
   * deletes `staged`, so no URL for `staged` can change `name` afterwards. Missing -> undefined.
   */
  adopt(
    staged: string,
    name: string,
    options: { exactSize: number; onProgress?: (bytes: number) => void },
  ): Promise<StoredBlob | undefined>
  /** Removes the blob; a missing blob is not an error. */
  delete(name: string, options?: IoOptions): Promise<void>
  /** Every complete blob, in no particular order (for the orphan sweep). */
  listBlobs(options?: IoOptions): AsyncIterable<BlobListing>
  /** Throws storage_unavailable when the store cannot be reached or written (for /readyz). */
  check(options?: IoOptions): Promise<void>
  /** Releases connections and timers. */
  close(): Promise<void>
}

/** One multipart session in a store: the blob it will become and the store's id for it. */
export interface MultipartSession {
  blobName: string
  storeUploadId: string
}

export interface StoredPart {
  partNumber: number
  size: number
  /** Hex SHA-256 of the part when the store computed it (local); null where it cannot (S3). */
  sha256: string | null
  /** The store's tag for the part (S3's ETag); null where there is none. */
  etag: string | null
}

/**
 * Multipart sessions: one blob sent as numbered parts, in any order and in parallel; a part can
 * be sent again. Nothing is visible as a blob until completeMultipart.
 */
export interface MultipartStore {
  /** Opens a session for a blob of `size` bytes cut in `partSize` parts; answers the store's id. */
  createMultipart(
    blobName: string,
    options: { size: number; partSize: number; contentType: string },
  ): Promise<string>
  /** Streams part `partNumber` (exactly `size` bytes), replacing an earlier copy. More -> upload_too_large, fewer -> upload_incomplete. */
  putPart(
    session: MultipartSession,
    partNumber: number,
    body: Readable,
    options: { size: number },
  ): Promise<StoredPart>
  /** The parts received so far, by number. Unknown session -> upload_not_found. */
  listParts(session: MultipartSession): Promise<StoredPart[]>
  /** Joins `parts` (1..n, in order) into the blob and answers it; the session is gone afterwards. */
  completeMultipart(session: MultipartSession, parts: readonly StoredPart[]): Promise<StoredBlob>
  /** Drops the session and its parts; an unknown session is not an error. */
  abortMultipart(session: MultipartSession): Promise<void>
}

export interface SignedUrl {
  url: string
  expiresAt: Date
}

export interface DownloadUrlRequest {
  blobName: string
  filename: string
  contentType: string
  disposition: 'attachment' | 'inline'
  expiresIn: number
  /**
   * Who asked and under which link generation (link-grants.ts): a URL served by Granary carries
   * it and is refused once it is withdrawn; a presigned S3 URL cannot, and ignores it.
   */
  grant?: LinkGrant
}

export interface UploadUrlRequestForBlob {
  uploadId: string
  blobName: string
  size: number
  contentType: string
  expiresIn: number
}

/**
 * Signs the URLs clients use to move bytes directly: the local backend's point at Granary's own
 * signed endpoints; S3's are real presigned URLs.
 */
export interface TransferUrls {
  /** A GET URL for the blob carrying Content-Disposition with the file name. */
  download(request: DownloadUrlRequest): Promise<SignedUrl>
  /** A PUT URL and exactly the headers the PUT must carry. */
  upload(request: UploadUrlRequestForBlob): Promise<SignedUrl & { headers: Record<string, string> }>
  /** A PUT URL for one part of a multipart session, and exactly the headers it must carry. */
  uploadPart(request: PartUrlRequest): Promise<SignedUrl & { headers: Record<string, string> }>
}

export interface PartUrlRequest extends MultipartSession {
  uploadId: string
  partNumber: number
  size: number
  expiresIn: number
}

/** A file: its key's current version. */
export interface FileRecord {
  /** Stable identifier: survives replacing the file's bytes. */
  id: string
  workspaceId: string
  /** The file's path inside its workspace, e.g. `raw/sample.vcf`. */
  key: string
  /** The last segment of the key. */
  name: string
  size: number
  contentType: string
  description: string | null
  /** Lower-case hex SHA-256 of the bytes. */
  sha256: string
  blobName: string
  createdAt: string
  updatedAt: string
  /** The current version's id (versions: lifecycle-ports.ts); the store assigns it on write. */
  versionId?: string
}

/** A file named without its metadata: what a key that may not read files learns of one. */
export interface FileReference {
  readonly id: string
  readonly key: string
}

export type UploadStatus =
  | 'pending'
  | 'received'
  | 'verifying'
  | 'completed'
  | 'failed'
  | 'aborted'
  | 'expired'

interface UploadFields {
  id: string
  workspaceId: string
  key: string
  blobName: string
  size: number
  contentType: string
  description: string | null
  /** SHA-256 the client declared, if any. */
  sha256: string | null
  overwrite: boolean
  status: UploadStatus
  receivedSha256: string | null
  createdAt: string
  /** Idle deadline: pushed back by every action on the upload, never past the hard deadline. */
  expiresAt: string
  /** While `verifying`: the bytes read back so far (upload-verifier.ts). */
  verifiedBytes?: number | null
  /** Why a `failed` upload failed, when it failed in the background. */
  failure?: UploadFailure | null
  /** The API key that asked for the upload URL: revoking it withdraws the URL. */
  issuedBy?: string | null
}

export interface UploadFailure {
  code: ErrorCode
  message: string
}

/** The seed's flow: one PUT of the whole file. */
export interface SinglePutUpload extends UploadFields {
  multipart: null
}

/** A multipart session: numbered parts, joined at confirm. */
export interface MultipartUpload extends UploadFields {
  multipart: MultipartLayout
}

/** An upload: one PUT, or a multipart session. Its rules (status, deadlines) are in upload.ts. */
export type Upload = SinglePutUpload | MultipartUpload

export interface MultipartLayout {
  storeUploadId: string
  partSize: number
  partCount: number
  /** The session ends here whatever happens (created + the maximum age). */
  deadlineAt: string
}

export interface WorkspaceRecord {
  id: string
  name: string
  createdAt: string
}

/** An API key as callers may see it: never its secret. */
export interface KeyInfo {
  id: string
  name: string
  scopes: Scope[]
  /** null: every workspace (admin keys). */
  workspaceIds: string[] | null
  createdAt: string
  expiresAt: string | null
  revokedAt: string | null
}

export interface KeyRecord extends KeyInfo {
  /** SHA-256 of the secret; the secret itself is never stored. */
  secretHash: string
}

export interface ListRange {
  workspaceId: string
  /** Keys >= this (inclusive) or > this (exclusive). */
  from?: { key: string; inclusive: boolean }
  /** Keys < this. */
  before?: string
  limit: number
}

export interface PutFileResult {
  file: FileRecord
  /** The blob of the version this one replaced (kept as a version, or freed). */
  replacedBlobName: string | null
  /** Blobs nothing refers to any more (a version pruned beyond keep_versions): delete them. */
  freedBlobNames: string[]
}

/**
 * Metadata: workspaces, API keys, files and pending uploads. Every method is atomic.
 * Driver errors are translated here: unreachable -> database_unavailable.
 * Mutating methods take `{ audit }` (domain/audit.ts): given it, the store writes the event(s)
 * describing the change in the change's own transaction, and none when nothing changed.
 */
export interface MetadataStore
  extends AuditLog,
    FileMoveStore,
    LinkGrants,
    WorkspaceSettingsStore,
    VersionStore,
    TrashStore {
  /** Webhooks and their deliveries (domain/webhooks/), in the same database. */
  readonly webhooks: WebhookStore
  /**
   * Bumps the file's link generation, so every link signed before stops working; answers the
   * file, or undefined when there is none. Event: links.revoke.
   */
  revokeFileLinks(
    workspaceId: string,
    key: string,
    options?: Audited,
  ): Promise<FileRecord | undefined>

  /** Runs the append-only migrations up to the latest. */
  migrate(): Promise<void>
  /** Throws database_unavailable when the database cannot answer (for /readyz). */
  check(): Promise<void>
  close(): Promise<void>

  /** Existing id -> workspace_exists. Event: workspace.create. */
  createWorkspace(workspace: WorkspaceRecord, options?: Audited): Promise<void>
  getWorkspace(id: string): Promise<WorkspaceRecord | undefined>
  /** Whether the workspace exists; workspaces are never deleted, so a store may remember a yes. */
  hasWorkspace(id: string): Promise<boolean>
  listWorkspaces(): Promise<WorkspaceRecord[]>

  /** Event: key.create (never the secret or its hash). */
  createKey(key: KeyRecord, options?: Audited): Promise<void>
  findKeyBySecretHash(secretHash: string): Promise<KeyRecord | undefined>
  listKeys(): Promise<KeyRecord[]>
  /** Sets revoked_at; unknown or already revoked id -> api_key_not_found. Event: key.revoke. */
  revokeKey(id: string, at: string, options?: Audited): Promise<void>

  getFile(workspaceId: string, key: string): Promise<FileRecord | undefined>
  /** Files of one workspace in key order (byte order of UTF-8) within the range. */
  listFiles(range: ListRange): Promise<FileRecord[]>
  /**
   * The folder view's entries in key order, at most `limit`: each file directly under the prefix,
   * and the first key inside each sub-folder (the rest of the folder is skipped with one index
   * seek). `prefixLength` is the prefix's length in code points.
   */
  listFolderEntries(range: ListRange & { prefixLength: number }): Promise<string[]>
  /** These keys' files, in key order; missing keys are left out. */
  getFiles(workspaceId: string, keys: readonly string[]): Promise<FileRecord[]>
  /**
   * Makes `file` the current version of its key in one transaction, keeping the existing id and
   * created_at; the replaced content becomes an older version (up to the workspace's
   * keep_versions, the oldest pruned) and `file` gets a new version id. overwrite=false and the key exists -> file_exists. With `completeUploadId`, that
   * upload is marked completed in the same transaction; if a racing call completed it first,
   * nothing changes and the current record is answered. Event: file.upload or file.replace.
   */
  putFile(
    file: FileRecord,
    options: { overwrite: boolean; completeUploadId?: string } & Audited,
  ): Promise<PutFileResult>
  /**
   * Removes the key and its older versions for good and, in the same transaction, queues the
   * blobs nothing else refers to for deletion; answers the removed record; missing -> undefined.
   * Event: file.delete.
   */
  deleteFile(
    workspaceId: string,
    key: string,
    options?: Audited,
  ): Promise<(FileRecord & FreedBlobs) | undefined>
  /** Blobs queued for deletion whose next attempt is due at `now`, at most `limit`. */
  listDueDeletions(now: string, limit: number): Promise<string[]>
  /** The blob is gone: drops it from the queue. */
  finishDeletion(blobName: string): Promise<void>
  /** Deleting failed: counts the attempt and tries again at `nextAttemptAt`. */
  postponeDeletion(blobName: string, nextAttemptAt: string): Promise<void>
  /** How many blobs are queued for deletion (the reaper's backlog, for /metrics). */
  countPendingDeletions(): Promise<number>
  /** True while the blob's deletion is queued (its file is deleted; its links must not serve). */
  isDeletionPending(blobName: string): Promise<boolean>

  /** Event: upload.start. */
  createUpload(upload: Upload, options?: Audited): Promise<void>
  getUpload(id: string): Promise<Upload | undefined>
  /** The upload that produced this blob, if any. */
  getUploadByBlob(blobName: string): Promise<Upload | undefined>
  /** Uploads of a key that are not completed or failed, newest first. */
  listOpenUploads(workspaceId: string, key: string): Promise<Upload[]>
  /** Records the received bytes' checksum: pending -> received. Not pending -> upload_already_received. */
  markUploadReceived(id: string, sha256: string | null): Promise<void>
  /** Event: upload.fail (wrong size or checksum at confirm). */
  markUploadFailed(id: string, options?: Audited): Promise<void>
  /**
   * Ends an open upload: pending or received -> `status`. Answers false when it was not open.
   * Event (when it was open): upload.abort or upload.expire.
   */
  closeUpload(id: string, status: 'aborted' | 'expired', options?: Audited): Promise<boolean>
  /** Pushes an open upload's idle deadline to `expiresAt`. */
  touchUpload(id: string, expiresAt: string): Promise<void>
  /** Open uploads of a workspace, newest first. */
  listWorkspaceUploads(workspaceId: string, limit: number): Promise<Upload[]>
  /** True when a file, an older version, a trash item or an open upload refers to this blob. */
  isBlobReferenced(blobName: string): Promise<boolean>
  /** True while a live file or an older version of one refers to it (its links may serve it). */
  isBlobServable(blobName: string): Promise<boolean>
  /** Open uploads whose idle deadline passed before `now`, at most `limit`. */
  listExpiredUploads(now: string, limit: number): Promise<Upload[]>
  /**
   * Open -> verifying (its bytes are read back in the background), recording the SHA-256 the
   * confirm declared. False when it was not open (another confirm got there first).
   */
  markUploadVerifying(id: string, sha256: string | null): Promise<boolean>
  /** Claims a verifying upload no process holds (or whose claim lapsed before `now`) until `until`. */
  claimVerification(now: string, until: string): Promise<Upload | undefined>
  /** Records the bytes read back so far and extends the claim. */
  recordVerification(id: string, verifiedBytes: number, until: string): Promise<void>
  /** Lets another attempt claim it from `at` (a transient failure). */
  releaseVerification(id: string, at: string): Promise<void>
  /** Records why a verifying upload fails (for the clients that poll it); markUploadFailed ends it. */
  failVerification(id: string, failure: UploadFailure): Promise<void>
}

export type { Scope }

/** What an operator needs to know about the blob store (`granary admin storage check`). */
export interface StorageInspection {
  backend: 'local' | 's3'
  /** The data folder, or `s3://bucket/prefix` (and the endpoint for non-AWS stores). */
  location: string
  /** The store answered and the credentials may use it. */
  reachable: boolean
  /** Origins allowed to PUT and GET from a browser; null where CORS does not apply (local). */
  corsOrigins: string[] | null
  /** What is wrong, each with what to do. Empty when all is well. */
  problems: string[]
}

/** Inspection and CORS set-up of the blob store, for operators. */
export interface StorageAdmin {
  /** Never throws for an unreachable store: that is reported in `problems`. */
  inspect(): Promise<StorageInspection>
  /** Lets these origins PUT and GET presigned URLs from a browser. Local backend -> invalid_request. */
  setCorsOrigins(origins: string[]): Promise<void>
}
