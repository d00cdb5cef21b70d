import type {
  DownloadUrlResponse,
  FileHeaderResponse,
  FileInfo,
  ListFilesResponse,
  MultipartUploadResponse,
  UploadUrlRequest,
  UploadUrlResponse,
} from '@granary/protocol'
import { confirmUpload } from './confirm-wait.ts'
import { resolveTarget, saveToFile } from './file-download.ts'
import { FileLifecycle, type MoveOptions } from './file-lifecycle.ts'
import type {
  CallOptions,
  DeleteOptions,
  DownloadOptions,
  DownloadStream,
  DownloadUrlOptions,
  ListAllOptions,
  ListOptions,
  UploadConfirmOptions,
  UploadFileOptions,
  UploadLargeOptions,
  UploadOptions,
} from './file-options.ts'
import { confirmRequest, formUpload, putBytes } from './file-upload.ts'
import {
  fileHeader,
  lines,
  type QueryOptions,
  type QueryRecord,
  queryBody,
} from './genomic-query.ts'
import type { FileVersion, FolderDeleted, MoveResult } from './lifecycle-wire.ts'
import { type MultipartRun, multipartUpload, resumeMultipart } from './multipart-upload.ts'
import { parallelDownload, probe } from './ranged-download.ts'
import type { Transport } from './transport.ts'
import { Uploads } from './upload-sessions.ts'
import { type ResolvedSource, resolveSource, type UploadSource } from './upload-source.ts'

/** 100 MiB: below it one form POST, from it the upload-url flow. */
export const LARGE_THRESHOLD_DEFAULT = 100 * 1024 * 1024
/** 5 GiB: from it a multipart session (S3 refuses a single PUT above 5 GB). */
export const MULTIPART_THRESHOLD_DEFAULT = 5 * 1024 ** 3

/** Client-wide defaults for uploads, fixed when the client is made. */
export interface FilesDefaults {
  readonly workspaceId?: string | undefined
  readonly multipartThreshold?: number | undefined
  readonly partSize?: number | undefined
}

/** The Files API: `client.files`. */
export class Files {
  /** Open upload sessions: list, inspect, abort. */
  readonly uploads: Uploads
  readonly #transport: Transport
  readonly #defaults: FilesDefaults
  readonly #workspace: (options: { workspaceId?: string | undefined }) => string
  readonly #lifecycle: FileLifecycle

  constructor(transport: Transport, defaults: FilesDefaults = {}) {
    this.#transport = transport
    this.#lifecycle = new FileLifecycle(transport)
    this.#defaults = Object.freeze({ ...defaults })
    this.#workspace = ({ workspaceId }) => {
      const id = workspaceId ?? defaults.workspaceId
      if (id) return id
      throw new TypeError('workspaceId is required (pass it, or set it on the client).')
    }
    this.uploads = new Uploads(transport, this.#workspace)
  }

  /**
   * One page of file metadata, sorted by key.
   *
   * @example
   * const page = await client.files.list({ workspaceId: 'ws_abc123', prefix: 'results/' })
   * for (const f of page.files) console.log(f.name, f.size, f.key)
   */
  list(options: ListOptions = {}): Promise<ListFilesResponse> {
    const { prefix, limit, cursor, delimiter, signal } = options
    const query = { workspace_id: this.#workspace(options), prefix, limit, cursor, delimiter }
    return this.#transport.json('GET', '/v1/files', { query, signal })
  }

  /**
   * Every file under a prefix, fetching pages lazily as the loop advances.
   *
   * @example
   * for await (const f of client.files.listAll({ workspaceId: 'ws_abc123', prefix: 'raw/' })) {
   *   console.log(f.key)
   * }
   */
  async *listAll(options: ListAllOptions = {}): AsyncGenerator<FileInfo> {
    const { pageSize, ...rest } = options
    let cursor: string | undefined
    do {
      const page = await this.list({ ...rest, limit: pageSize, cursor })
      yield* page.files
      cursor = page.next_cursor ?? undefined
    } while (cursor)
  }

  /**
   * Uploads with one streamed multipart POST (up to the server's 500 MB limit); returns the
   * stored file's metadata. `source` is a local path (Node), a Blob/File, or a stream.
   *
   * @example
   * const file = await client.files.upload('sample.vcf', { workspaceId: 'ws_abc123', path: 'raw/' })
   * console.log(file.key) // 'raw/sample.vcf'
   */
  async upload(source: UploadSource, options: UploadOptions = {}): Promise<FileInfo> {
    const workspaceId = this.#workspace(options)
    const resolved = await resolveSource(source, options)
    return formUpload(this.#transport, resolved, { ...options, workspaceId })
  }

  /**
   * Uploads a local file or Blob of any size: a form upload below `largeThreshold` (100 MiB),
   * a multipart session from `multipartThreshold` (5 GiB) with parts sent in parallel, retried,
   * verified and resumable, else upload-url, one streamed PUT and upload-confirm. The SHA-256 is
   * checked end to end in Node.
   *
   * @example
   * const file = await client.files.uploadFile('large_genome.bam', {
   *   workspaceId: 'ws_abc123', path: 'bam/', concurrency: 4,
   *   onProgress: (p) => console.log(p.loaded, p.total, p.bytesPerSecond, p.etaSeconds),
   * })
   */
  async uploadFile(source: string | Blob, options: UploadFileOptions = {}): Promise<FileInfo> {
    const workspaceId = this.#workspace(options)
    const resolved = await resolveSource(source, options)
    const size = resolved.size ?? 0
    const run = this.#multipartRun({ ...resolved, size }, { ...options, workspaceId })
    if (options.resume) return resumeMultipart(run, options.resume.uploadId)
    const multipart = size >= (options.multipartThreshold ?? this.#multipartThreshold())
    if (!multipart && size < (options.largeThreshold ?? LARGE_THRESHOLD_DEFAULT)) {
      return formUpload(this.#transport, resolved, { ...options, workspaceId })
    }
    const { filename, contentType } = resolved
    const partSize = multipart ? (options.partSize ?? this.#defaults.partSize) : undefined
    const upload = await this.#openUpload({
      ...options,
      workspaceId,
      filename,
      contentType,
      size,
      ...(multipart ? { multipart, partSize } : {}),
    })
    // The server also opens a session by itself from its own threshold.
    if (isMultipart(upload)) return multipartUpload(run, upload)
    return this.#singlePut(upload, resolved, { ...options, workspaceId, size })
  }

  /**
   * Continues a multipart upload after a crash: only the parts the server lacks are sent.
   *
   * @example
   * const file = await client.files.resumeUpload('up_123', 'large_genome.bam', { workspaceId: 'ws_abc123' })
   */
  resumeUpload(
    uploadId: string,
    source: string | Blob,
    options: Omit<UploadFileOptions, 'resume'> = {},
  ): Promise<FileInfo> {
    return this.uploadFile(source, { ...options, resume: { uploadId } })
  }

  async #singlePut(
    upload: UploadUrlResponse,
    resolved: ResolvedSource,
    options: UploadFileOptions & { workspaceId: string; size: number },
  ): Promise<FileInfo> {
    const { size, workspaceId, signal } = options
    const put = { size, onProgress: options.onProgress, signal }
    const sha256 = await putBytes(this.#transport, upload, resolved, put)
    const body = confirmRequest(upload, workspaceId, { ...resolved, size }, sha256)
    return confirmUpload(this.#transport, body, signal)
  }

  #multipartRun(
    source: ResolvedSource & { size: number },
    options: UploadFileOptions & { workspaceId: string },
  ): MultipartRun {
    return {
      transport: this.#transport,
      uploads: this.uploads,
      workspaceId: options.workspaceId,
      source,
      concurrency: options.concurrency,
      partUrlExpiresIn: options.partUrlExpiresIn,
      checksum: options.checksum,
      retry: options.retry,
      onProgress: options.onProgress,
      onSession: options.onSession,
      signal: options.signal,
    }
  }

  #multipartThreshold(): number {
    return this.#defaults.multipartThreshold ?? MULTIPART_THRESHOLD_DEFAULT
  }

  /**
   * Step 1 of the large-file flow: a signed URL to PUT exactly `size` bytes to.
   *
   * @example
   * const info = await client.files.uploadLarge({
   *   workspaceId: 'ws_abc123', filename: 'large_genome.bam', size, path: 'bam/',
   * })
   * await fetch(info.uploadUrl, { method: 'PUT', headers: info.headers, body, duplex: 'half' })
   */
  uploadLarge(options: UploadLargeOptions): Promise<UploadUrlResponse> {
    return this.#openUpload(options) as Promise<UploadUrlResponse>
  }

  #openUpload(
    options: UploadLargeOptions & { multipart?: boolean; partSize?: number | undefined },
  ): Promise<UploadUrlResponse | MultipartUploadResponse> {
    const body: UploadUrlRequest = {
      filename: options.filename,
      workspace_id: this.#workspace(options),
      size: options.size,
      content_type: options.contentType,
      path: options.path,
      description: options.description,
      sha256: options.sha256,
      overwrite: options.overwrite,
      expires_in: options.expiresIn,
      ...(options.multipart ? { multipart: true, part_size: options.partSize } : {}),
    }
    return this.#transport.json('POST', '/v1/files/upload-url', {
      json: body,
      signal: options.signal,
    })
  }

  /**
   * Step 3 of the large-file flow: makes the PUT bytes the file's current version.
   *
   * @example
   * const file = await client.files.uploadConfirm({
   *   workspaceId: 'ws_abc123', fileKey: info.fileKey, uploadId: info.uploadId, size,
   * })
   */
  uploadConfirm(options: UploadConfirmOptions): Promise<FileInfo> {
    const body = {
      file_key: options.fileKey,
      workspace_id: this.#workspace(options),
      filename: options.filename,
      size: options.size,
      upload_id: options.uploadId,
      sha256: options.sha256,
    }
    return confirmUpload(this.#transport, body, options.signal)
  }

  /**
   * A signed URL anyone can fetch without a key until `expires_at` (default one hour).
   *
   * @example
   * const { url } = await client.files.downloadUrl('raw/sample.vcf', { expiresIn: 600 })
   * // A link samtools/bcftools/IGV follow to the index, and the index's own link:
   * const bam = await client.files.downloadUrl('bam/x.bam', { link: 'granary', withIndex: true })
   * console.log(bam.url, bam.index_url)
   */
  async downloadUrl(key: string, options: DownloadUrlOptions = {}): Promise<DownloadUrlResponse> {
    const { expiresIn, disposition, link, withIndex, versionId, signal } = options
    const query = {
      workspace_id: this.#workspace(options),
      key,
      expires_in: expiresIn,
      disposition,
      link,
      with_index: withIndex,
      version_id: versionId,
    }
    const answer = await this.#transport.json<DownloadUrlResponse>('GET', '/v1/files/download', {
      query,
      signal,
    })
    const absolute = (url: string) => this.#transport.url(url).toString()
    const { index_url } = answer
    return {
      ...answer,
      url: absolute(answer.url),
      ...(index_url === undefined ? {} : { index_url: absolute(index_url) }),
    }
  }

  /**
   * The file's bytes as a stream, with its size when known.
   *
   * @example
   * const { body, size } = await client.files.downloadStream('raw/sample.vcf')
   * for await (const chunk of body) process.stdout.write(chunk)
   */
  async downloadStream(
    key: string,
    options: Omit<DownloadOptions, 'dest' | 'onProgress'> = {},
  ): Promise<DownloadStream> {
    const { url } = await this.downloadUrl(key, options)
    const response = await this.#transport.fetchOk(url, { signal: options.signal ?? null })
    // A Content-Length under a Content-Encoding counts encoded bytes, not the file's.
    const length = response.headers.get('content-encoding')
      ? null
      : response.headers.get('content-length')
    return {
      body: response.body ?? new Blob([]).stream(),
      size: length === null ? undefined : Number(length),
      contentType: response.headers.get('content-type') ?? undefined,
    }
  }

  /**
   * Downloads to disk (Node): into `dest` as a folder, or to `dest` as a file path; returns the
   * local path. Written to a temp file first, so a failure leaves nothing under the final name.
   * From 64 MiB, when the server honours Range: 4 parallel 16 MiB ranged GETs into
   * `<dest>.granary-partial`, and a later call resumes from the ranges already there.
   *
   * @example
   * const local = await client.files.download('raw/sample.vcf', { dest: './output/' })
   */
  async download(key: string, options: DownloadOptions = {}): Promise<string> {
    const name = key.split('/').pop() ?? key
    const target = await resolveTarget(options.dest, name)
    const signUrl = () => this.downloadUrl(key, options).then((answer) => answer.url)
    const ranged = { ...options, target, signUrl }
    const opened = await probe(this.#transport, ranged)
    if ('probe' in opened) return parallelDownload(this.#transport, opened.probe, ranged)
    const { response } = opened
    // A Content-Length under a Content-Encoding counts encoded bytes, not the file's.
    const length = response.headers.get('content-encoding')
      ? null
      : response.headers.get('content-length')
    const size = length === null ? undefined : Number(length)
    return saveToFile(response.body, { dest: target, name, size, onProgress: options.onProgress })
  }

  /**
   * The records of regions of an indexed VCF, BAM, CRAM or tabix-indexed file, read in place:
   * text lines as bcftools, samtools or tabix print them, or parsed records (`format: 'json'`).
   *
   * @example
   * for await (const v of client.files.query('calls/trio.vcf.gz', { region: 'chr1:1000-2000', format: 'json' }))
   *   console.log(v.chrom, v.pos, v.alt)
   */
  query(key: string, options: QueryOptions & { format: 'json' }): AsyncGenerator<QueryRecord>
  query(key: string, options: QueryOptions & { format?: 'text' }): AsyncGenerator<string>
  async *query(
    key: string,
    options: QueryOptions & { format?: 'text' | 'json' },
  ): AsyncGenerator<string | QueryRecord> {
    const format = options.format ?? 'text'
    const body = await this.queryStream(key, { ...options, format })
    for await (const line of lines(body)) {
      yield format === 'json' ? (JSON.parse(line) as QueryRecord) : line
    }
  }

  /**
   * The query's answer as raw bytes, to pipe into bcftools, samtools or a file.
   *
   * @example
   * const body = await client.files.queryStream('bam/s1.bam', { region: 'chr2:5000-6000' })
   */
  queryStream(
    key: string,
    options: QueryOptions & { format?: 'text' | 'json' },
  ): Promise<ReadableStream<Uint8Array>> {
    const workspaceId = this.#workspace(options)
    return queryBody(this.#transport, key, {
      ...options,
      workspaceId,
      format: options.format ?? 'text',
    })
  }

  /**
   * The header of a VCF, BAM, CRAM or tabix-indexed file: its text, contigs and samples.
   *
   * @example
   * const { contigs, samples } = await client.files.header('calls/trio.vcf.gz')
   */
  header(
    key: string,
    options: { workspaceId?: string; signal?: AbortSignal } = {},
  ): Promise<FileHeaderResponse> {
    const signal = options.signal
    return fileHeader(this.#transport, key, {
      workspaceId: this.#workspace(options),
      ...(signal ? { signal } : {}),
    })
  }

  /**
   * Deletes a file (to the trash when the workspace keeps one); `file_not_found` if there is
   * none. With `recursive: true`, `keyOrPrefix` is a folder (`raw/`) and every file under it goes
   * to the trash together as one group: `{ deleted: n, group_id }` (`trash.restoreGroup(group_id)`
   * puts the folder back; `group_id` is null when the workspace keeps no trash).
   *
   * @example
   * await client.files.delete('raw/sample.vcf', { workspaceId: 'ws_abc123' })
   * const { deleted } = await client.files.delete('raw/', { recursive: true })
   */
  delete(key: string, options?: DeleteOptions & { recursive?: false }): Promise<void>
  delete(prefix: string, options: DeleteOptions & { recursive: true }): Promise<FolderDeleted>
  async delete(keyOrPrefix: string, options: DeleteOptions = {}): Promise<unknown> {
    const workspaceId = this.#workspace(options)
    if (options.recursive) return this.#lifecycle.deleteFolder(workspaceId, keyOrPrefix, options)
    const query = { workspace_id: workspaceId, key: keyOrPrefix }
    await this.#transport.json('DELETE', '/v1/files', { query, signal: options.signal })
  }

  /**
   * The file's versions, newest first; `is_current` marks the one downloads serve.
   *
   * @example
   * const versions = await client.files.versions('raw/sample.vcf', { workspaceId: 'ws_abc123' })
   * const url = await client.files.downloadUrl('raw/sample.vcf', { versionId: versions[1].version_id })
   */
  versions(key: string, options: CallOptions = {}): Promise<FileVersion[]> {
    return this.#lifecycle.versions(this.#workspace(options), key, options.signal)
  }

  /**
   * Makes an older version's content current again, as a new version; answers the file.
   *
   * @example
   * const file = await client.files.restore('raw/sample.vcf', { versionId: 'ver_123' })
   */
  restore(key: string, options: CallOptions & { versionId: string }): Promise<FileInfo> {
    const { versionId, signal } = options
    return this.#lifecycle.restore(this.#workspace(options), key, versionId, signal)
  }

  /**
   * Removes one old version for good (`files:delete` scope).
   *
   * @example
   * await client.files.deleteVersion('raw/sample.vcf', 'ver_123')
   */
  deleteVersion(key: string, versionId: string, options: CallOptions = {}): Promise<void> {
    return this.#lifecycle.deleteVersion(this.#workspace(options), key, versionId, options.signal)
  }

  /**
   * Moves or renames a file (metadata only: its `id` and versions go with it), or a whole
   * folder when both paths end in `/`. `file_exists` if the target exists, unless `overwrite`.
   * A folder the server moves as a job is waited for.
   *
   * @example
   * const file = await client.files.move('raw/s.vcf', 'final/sample.vcf', { workspaceId: 'ws_abc123' })
   */
  move(from: string, to: string, options: CallOptions & MoveOptions = {}): Promise<MoveResult> {
    return this.#lifecycle.relocate('move', this.#workspace(options), { from, to }, options)
  }

  /**
   * Copies a file (or a folder, paths ending in `/`): the copy shares the bytes and gets a new `id`.
   *
   * @example
   * const copy = await client.files.copy('raw/s.vcf', 'backup/s.vcf', { workspaceId: 'ws_abc123' })
   */
  copy(from: string, to: string, options: CallOptions & MoveOptions = {}): Promise<MoveResult> {
    return this.#lifecycle.relocate('copy', this.#workspace(options), { from, to }, options)
  }
}

function isMultipart(
  answer: UploadUrlResponse | MultipartUploadResponse,
): answer is MultipartUploadResponse {
  return (answer as { multipart?: unknown }).multipart === true
}
