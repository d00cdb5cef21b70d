/** Byte progress of an upload or download; `total` is undefined when the size is unknown. */
export interface Progress {
  loaded: number
  total: number | undefined
}

interface CallOptions {
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
}

export interface DownloadUrlOptions extends CallOptions {
  /** Seconds the URL stays valid, 1..604800 (default 3600). */
  expiresIn?: number
  disposition?: 'attachment' | 'inline'
}

export interface DownloadOptions extends CallOptions {
  /** A folder (existing or ending in `/`) or a file path; default: the working directory. */
  dest?: string
  expiresIn?: number
  onProgress?: (progress: Progress) => void
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

export interface DeleteOptions extends CallOptions {}
