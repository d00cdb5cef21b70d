import type {
  DownloadUrlResponse,
  FileInfo,
  ListFilesResponse,
  UploadUrlRequest,
  UploadUrlResponse,
} from '@granary/protocol'
import { saveToFile } from './file-download.ts'
import type {
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
import type { Transport } from './transport.ts'
import { resolveSource, type UploadSource } from './upload-source.ts'

/** 100 MiB: below it one form POST, from it the upload-url flow. */
export const LARGE_THRESHOLD_DEFAULT = 100 * 1024 * 1024

/** The Files API: `client.files`. */
export class Files {
  readonly #transport: Transport
  readonly #workspace: (options: { workspaceId?: string | undefined }) => string

  constructor(transport: Transport, defaultWorkspaceId: string | undefined) {
    this.#transport = transport
    this.#workspace = ({ workspaceId }) => {
      const id = workspaceId ?? defaultWorkspaceId
      if (id) return id
      throw new TypeError('workspaceId is required (pass it, or set it on the client).')
    }
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
   * else upload-url, a streamed PUT and upload-confirm (with the SHA-256 checked, in Node).
   *
   * @example
   * const file = await client.files.uploadFile('large_genome.bam', {
   *   workspaceId: 'ws_abc123', path: 'bam/', onProgress: (p) => console.log(p.loaded, p.total),
   * })
   */
  async uploadFile(source: string | Blob, options: UploadFileOptions = {}): Promise<FileInfo> {
    const workspaceId = this.#workspace(options)
    const resolved = await resolveSource(source, options)
    const size = resolved.size ?? 0
    if (size < (options.largeThreshold ?? LARGE_THRESHOLD_DEFAULT)) {
      return formUpload(this.#transport, resolved, { ...options, workspaceId })
    }
    const { filename, contentType } = resolved
    const upload = await this.uploadLarge({ ...options, workspaceId, filename, contentType, size })
    const put = { size, onProgress: options.onProgress, signal: options.signal }
    const sha256 = await putBytes(this.#transport, upload, resolved, put)
    const body = confirmRequest(upload, workspaceId, { ...resolved, size }, sha256)
    return this.#transport.json('POST', '/v1/files/upload-confirm', {
      json: body,
      signal: options.signal,
    })
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
    return this.#transport.json('POST', '/v1/files/upload-confirm', {
      json: body,
      signal: options.signal,
    })
  }

  /**
   * A signed URL anyone can fetch without a key until `expires_at` (default one hour).
   *
   * @example
   * const { url } = await client.files.downloadUrl('raw/sample.vcf', { expiresIn: 600 })
   */
  async downloadUrl(key: string, options: DownloadUrlOptions = {}): Promise<DownloadUrlResponse> {
    const { expiresIn, disposition, signal } = options
    const query = {
      workspace_id: this.#workspace(options),
      key,
      expires_in: expiresIn,
      disposition,
    }
    const answer = await this.#transport.json<DownloadUrlResponse>('GET', '/v1/files/download', {
      query,
      signal,
    })
    return { ...answer, url: this.#transport.url(answer.url).toString() }
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
   *
   * @example
   * const local = await client.files.download('raw/sample.vcf', { dest: './output/' })
   */
  async download(key: string, options: DownloadOptions = {}): Promise<string> {
    const { body, size } = await this.downloadStream(key, options)
    const name = key.split('/').pop() ?? key
    return saveToFile(body, { dest: options.dest, name, size, onProgress: options.onProgress })
  }

  /**
   * Deletes a file; `file_not_found` if there is none.
   *
   * @example
   * await client.files.delete('raw/sample.vcf', { workspaceId: 'ws_abc123' })
   */
  async delete(key: string, options: DeleteOptions = {}): Promise<void> {
    const query = { workspace_id: this.#workspace(options), key }
    await this.#transport.json('DELETE', '/v1/files', { query, signal: options.signal })
  }
}
