import type { FileInfo, UploadConfirmRequest, UploadUrlResponse } from '@granary/protocol'
import { counted, sourceErrorOf, streamFrom } from './body-stream.ts'
import type { UploadOptions } from './file-options.ts'
import { multipartBlob, multipartBody } from './multipart.ts'
import { sleep } from './retry.ts'
import type { StreamingRequestInit, Transport } from './transport.ts'
import type { ResolvedSource } from './upload-source.ts'

const OCTET_STREAM = 'application/octet-stream'

/** POST /v1/files/upload with a streamed multipart body; text fields precede the file part. */
export async function formUpload(
  transport: Transport,
  source: ResolvedSource,
  options: UploadOptions & { workspaceId: string },
): Promise<FileInfo> {
  // A streamed body cannot be replayed by fetch; a path or a Blob can be read again, so a 429 or
  // 503 is retried here, after its Retry-After, with a fresh body.
  for (let attempt = 0; ; attempt++) {
    const { body, headers } = formBody(transport, source, options)
    try {
      const file = await withSourceErrors(() =>
        transport.json<FileInfo>('POST', '/v1/files/upload', {
          body,
          headers,
          signal: options.signal,
        }),
      )
      // A Blob body's progress is the browser's to know; report it done.
      if (!(body instanceof ReadableStream))
        options.onProgress?.({ loaded: file.size, total: file.size })
      return file
    } catch (err) {
      const wait = source.readRange ? transport.busyDelay(err, attempt) : undefined
      if (wait === undefined) throw err
      await sleep(wait, options.signal)
    }
  }
}

function formBody(
  transport: Transport,
  source: ResolvedSource,
  options: UploadOptions & { workspaceId: string },
): { body: BodyInit; headers: Record<string, string> } {
  const part = {
    name: 'file',
    filename: source.filename,
    contentType: source.contentType ?? OCTET_STREAM,
  }
  if (source.blob && !transport.streamUploads) {
    const { body, contentType } = multipartBlob(formFields(options), { ...part, blob: source.blob })
    return { body, headers: { 'content-type': contentType } }
  }
  const onBytes = (loaded: number) => options.onProgress?.({ loaded, total: source.size })
  const chunks = counted(source.open(), { size: source.size, onBytes })
  const body = multipartBody(formFields(options), { ...part, size: source.size, chunks })
  const headers: Record<string, string> = { 'content-type': body.contentType }
  if (body.length !== undefined) headers['content-length'] = String(body.length)
  return { body: body.stream, headers }
}

function formFields(options: UploadOptions & { workspaceId: string }): Array<[string, string]> {
  const fields: Array<[string, string]> = [['workspace_id', options.workspaceId]]
  if (options.path !== undefined) fields.push(['path', options.path])
  if (options.description !== undefined) fields.push(['description', options.description])
  if (options.overwrite !== undefined) fields.push(['overwrite', String(options.overwrite)])
  return fields
}

export interface PutOptions {
  size: number
  onProgress?: UploadOptions['onProgress']
  signal?: AbortSignal | undefined
}

/**
 * PUTs the bytes to an upload URL with exactly the headers the server asked for, streaming, and
 * returns their SHA-256 (Node) so the confirm call can have the server check it end to end.
 */
export async function putBytes(
  transport: Transport,
  upload: UploadUrlResponse,
  source: ResolvedSource,
  options: PutOptions,
): Promise<string | undefined> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await putOnce(transport, upload, source, options)
    } catch (err) {
      const wait = source.readRange ? transport.busyDelay(err, attempt) : undefined
      if (wait === undefined) throw err
      await sleep(wait, options.signal)
    }
  }
}

async function putOnce(
  transport: Transport,
  upload: UploadUrlResponse,
  source: ResolvedSource,
  options: PutOptions,
): Promise<string | undefined> {
  const headers = { ...upload.headers, 'content-length': String(options.size) }
  const init: StreamingRequestInit = {
    method: upload.method ?? 'PUT',
    headers,
    signal: options.signal ?? null,
  }
  const hash = await createSha256()
  if (source.blob && !transport.streamUploads) {
    init.body = source.blob
  } else {
    const onBytes = (loaded: number) => options.onProgress?.({ loaded, total: options.size })
    init.body = streamFrom(hashing(counted(source.open(), { size: options.size, onBytes }), hash))
    init.duplex = 'half'
  }
  await withSourceErrors(() => transport.fetchOk(transport.url(upload.uploadUrl), init))
  if (init.duplex === undefined) options.onProgress?.({ loaded: options.size, total: options.size })
  return init.duplex === undefined ? undefined : hash?.digest()
}

/** The confirm body for an upload-url answer. */
export function confirmRequest(
  upload: UploadUrlResponse,
  workspaceId: string,
  source: ResolvedSource & { size: number },
  sha256: string | undefined,
): UploadConfirmRequest {
  return {
    file_key: upload.fileKey,
    workspace_id: workspaceId,
    filename: source.filename,
    size: source.size,
    upload_id: upload.uploadId,
    ...(sha256 ? { sha256 } : {}),
  }
}

/** A failure while reading the local source surfaces as itself, not as a network error. */
export async function withSourceErrors<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call()
  } catch (err) {
    throw sourceErrorOf(err) ?? err
  }
}

interface Sha256 {
  update(bytes: Uint8Array): void
  digest(): string
}

async function* hashing(
  chunks: AsyncIterable<Uint8Array>,
  hash: Sha256 | undefined,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    hash?.update(chunk)
    yield chunk
  }
}

/** Incremental SHA-256 from node:crypto; undefined in browsers (Web Crypto cannot stream). */
async function createSha256(): Promise<Sha256 | undefined> {
  if (!globalThis.process?.versions?.node) return undefined
  const { createHash } = await import('node:crypto')
  const hash = createHash('sha256')
  return { update: (bytes) => hash.update(bytes), digest: () => hash.digest('hex') }
}
