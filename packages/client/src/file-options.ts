import type { Job } from './lifecycle-wire.ts'

/** Byte progress of an upload or download; `total` is undefined when the size is unknown. */
export interface Progress {
  loaded: number
  total: number | undefined
  /** Recent throughput (multipart uploads and ranged downloads). */
  bytesPerSecond?: number
  /** Seconds left at that rate; undefined until there is a rate. */
  etaSeconds?: number | undefined
}

export interface CallOptions {
  /** Defaults to the client's `workspaceId`. */
  workspaceId?: string
  signal?: AbortSignal
}

export interface ListOptions extends CallOptions {
  /** Only keys starting with this, e.g. `results/`. */
  prefix?: string
  /** Page size, 1..1000 (server default 100); counts files and folders. */
  limit?: number
  /** `next_cursor` of the previous page. */
  cursor?: string
  /** `/`: folder view (files directly under `prefix`, plus `folders`). */
  delimiter?: '/'
}

export interface ListAllOptions extends CallOptions {
  prefix?: string
  pageSize?: number
}

export interface UploadOptions extends CallOptions {
  /** Folder inside the workspace, e.g. `raw/`; key = path + file name. */
  path?: string
  description?: string
  /** `false`: fail with `file_exists` instead of replacing (default true). */
  overwrite?: boolean
  /** Required for streams; defaults to the path's base name or the File's name. */
  filename?: string
  contentType?: string
  onProgress?: (progress: Progress) => void
}

export interface UploadFileOptions extends UploadOptions {
  /** Sizes from this up use the upload-url flow (default 100 MiB). */
  largeThreshold?: number
  /**
   * Sizes from this up use a multipart session (default: the client's, from
   * `GRANARY_MULTIPART_THRESHOLD` in Node, else 5 GiB).
   */
  multipartThreshold?: number
  /** Part size hint in bytes; the server clamps it (default: `GRANARY_PART_SIZE`, else the server's). */
  partSize?: number
  /** Parts sent at once (default 4). */
  concurrency?: number
  /** Continue this session: only the parts the server lacks are sent. */
  resume?: { uploadId: string }
  /** Called once the session is known (created or resumed), e.g. to save its id for a later resume. */
  onSession?: (session: SessionStarted) => void | Promise<void>
  /** Seconds each part URL stays valid (server default 3600); URLs are signed again as needed. */
  partUrlExpiresIn?: number
  /**
   * Check the bytes end to end (default true in Node): each part against what the store says it
   * received (SHA-256, or S3's ETag as MD5), and the whole file's SHA-256, computed in a sequential
   * pass, declared at confirm. `false` for S3 buckets with SSE-KMS, whose ETags are not MD5s.
   */
  checksum?: boolean
  /** Retries of one part: 6, first after up to 0.5 s, doubling, capped at 30 s (full jitter). */
  retry?: { retries?: number; baseDelayMs?: number; maxDelayMs?: number }
}

export interface SessionStarted {
  uploadId: string
  fileKey: string
  partSize: number
  partCount: number
  /** Parts already on the server (resume). */
  presentParts: number
}

export interface DownloadUrlOptions extends CallOptions {
  /** Seconds the URL stays valid, 1..604800 (default 3600). */
  expiresIn?: number
  disposition?: 'attachment' | 'inline'
  /**
   * 'granary': a Granary link, which also serves the file's index (x.bam.bai, x.vcf.gz.tbi) so
   * samtools, bcftools, tabix and IGV find it; 'direct': the store's own URL. Default: the
   * server's (Granary links on the local backend, presigned URLs on S3).
   */
  link?: 'granary' | 'direct'
  /** Also answer `index_url` and `index_key` when the file's index exists beside it. */
  withIndex?: boolean
  /** Sign a link to this older version (from `files.versions`) instead of the current one. */
  versionId?: string
}

export interface DownloadOptions extends CallOptions {
  /** A folder (existing or ending in `/`) or a file path; default: the working directory. */
  dest?: string
  expiresIn?: number
  /** Download this older version (from `files.versions`) instead of the current one. */
  versionId?: string
  onProgress?: (progress: Progress) => void
  /** From this size, when the server honours Range: parallel ranged GETs, resumable (64 MiB). */
  parallelThreshold?: number
  /** Bytes per ranged GET (16 MiB). */
  rangeSize?: number
  /** Ranged GETs at once (4). */
  connections?: number
}

export interface DownloadStream {
  body: ReadableStream<Uint8Array>
  /** From Content-Length, when the server sent it. */
  size: number | undefined
  contentType: string | undefined
}

export interface UploadLargeOptions extends CallOptions {
  filename: string
  size: number
  contentType?: string
  path?: string
  description?: string
  sha256?: string
  overwrite?: boolean
  expiresIn?: number
}

export interface UploadConfirmOptions extends CallOptions {
  fileKey: string
  size: number
  filename?: string
  uploadId?: string
  sha256?: string
}

export interface DeleteOptions extends CallOptions {
  /** The key is a folder (`raw/`): send every file under it to the trash. */
  recursive?: boolean
  /** How a folder delete the server runs as a job is waited for. */
  job?: { intervalMs?: number; onProgress?: (job: Job) => void }
}
