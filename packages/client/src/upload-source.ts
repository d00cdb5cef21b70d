import { readChunks } from './body-stream.ts'

/**
 * What can be uploaded: a local path (Node only), a Blob or File, a web ReadableStream, or any
 * async iterable of bytes such as a Node `Readable` (streams need `filename`).
 */
export type UploadSource = string | Blob | ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>

export interface SourceHints {
  filename?: string | undefined
  contentType?: string | undefined
}

/** An upload source with what is known about it; `open()` starts reading. */
export interface ResolvedSource {
  readonly filename: string
  readonly size: number | undefined
  readonly contentType: string | undefined
  /** The Blob itself, for runtimes that upload a Blob better than a stream (browsers). */
  readonly blob?: Blob
  open(): AsyncIterable<unknown>
  /** Bytes [start, end) only, for sources that can seek (paths and Blobs). */
  readRange?(start: number, end: number): AsyncIterable<unknown>
}

/** Works out name, size and type of a source without reading its bytes. */
export async function resolveSource(
  source: UploadSource,
  hints: SourceHints = {},
): Promise<ResolvedSource> {
  if (typeof source === 'string') return resolvePath(source, hints)
  if (typeof Blob !== 'undefined' && source instanceof Blob) return resolveBlob(source, hints)
  return resolveStream(source as ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, hints)
}

function resolveStream(
  source: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>,
  hints: SourceHints,
): ResolvedSource {
  const filename = requireFilename(hints.filename)
  const open = () => (source instanceof ReadableStream ? readChunks(source) : source)
  return { filename, size: undefined, contentType: hints.contentType, open }
}

async function resolvePath(path: string, hints: SourceHints): Promise<ResolvedSource> {
  const [{ stat }, { createReadStream }, { basename }] = await Promise.all([
    import('node:fs/promises'),
    import('node:fs'),
    import('node:path'),
  ])
  const info = await stat(path)
  if (!info.isFile()) throw new TypeError(`Not a regular file: ${path}`)
  return {
    filename: hints.filename ?? basename(path),
    size: info.size,
    contentType: hints.contentType,
    // 1 MiB reads: fewer syscalls than the 64 KiB default, still flat memory.
    open: () => createReadStream(path, { highWaterMark: 1024 * 1024 }),
    // fs `end` is inclusive; an empty range must not read the file from `start` to its end.
    readRange: (start, end) =>
      end > start
        ? createReadStream(path, { start, end: end - 1, highWaterMark: 1024 * 1024 })
        : emptyChunks(),
  }
}

function resolveBlob(blob: Blob, hints: SourceHints): ResolvedSource {
  const name = 'name' in blob && typeof blob.name === 'string' ? blob.name : undefined
  return {
    filename: requireFilename(hints.filename ?? name),
    size: blob.size,
    contentType: hints.contentType ?? (blob.type || undefined),
    blob,
    open: () => readChunks(blob.stream()),
    readRange: (start, end) => readChunks(blob.slice(start, end).stream()),
  }
}

async function* emptyChunks(): AsyncGenerator<Uint8Array> {}

function requireFilename(filename: string | undefined): string {
  if (filename) return filename
  throw new TypeError('`filename` is required when uploading a stream or a Blob without a name.')
}

/**
 * Whether fetch can send this runtime a stream body over HTTP/1.1: Node (undici) can, browsers
 * cannot (Chrome needs HTTP/2; Safari and Firefox have no request streams).
 */
export function streamsRequestBodies(): boolean {
  return Boolean(globalThis.process?.versions?.node)
}
