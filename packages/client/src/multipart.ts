import { streamFrom } from './body-stream.ts'

export interface MultipartFilePart {
  /** The form field name, `file` for Granary. */
  name: string
  filename: string
  contentType: string
  /** Byte count of `chunks`, when known: gives the body an exact Content-Length. */
  size: number | undefined
  chunks: AsyncIterable<Uint8Array>
}

export interface MultipartBody {
  readonly stream: ReadableStream<Uint8Array>
  /** The `Content-Type` header, with the boundary. */
  readonly contentType: string
  /** The exact body length, or undefined when the file's size is unknown (chunked upload). */
  readonly length: number | undefined
}

const encoder = new TextEncoder()
const CRLF = '\r\n'

/**
 * A streaming multipart/form-data body (RFC 7578): text fields first, in order, then the file
 * part, so a server can route the bytes as they arrive without buffering them.
 *
 * @example
 * const body = multipartBody([['workspace_id', 'ws_abc123']], { name: 'file', filename: 'a.txt',
 *   contentType: 'text/plain', size: 3, chunks: [new TextEncoder().encode('abc')] })
 */
export function multipartBody(
  fields: ReadonlyArray<readonly [string, string]>,
  file: MultipartFilePart,
  boundary = randomBoundary(),
): MultipartBody {
  const { head, tail, contentType } = multipartFrame(fields, file, boundary)
  const length = file.size === undefined ? undefined : head.byteLength + file.size + tail.byteLength
  return { stream: streamFrom(concat(head, file.chunks, tail)), contentType, length }
}

/**
 * The same body as a Blob around a Blob, for browsers: they stream a Blob from disk themselves,
 * while a stream body needs HTTP/2 there (Chrome) or is not supported at all (Safari, Firefox).
 */
export function multipartBlob(
  fields: ReadonlyArray<readonly [string, string]>,
  file: Omit<MultipartFilePart, 'chunks' | 'size'> & { blob: Blob },
): { body: Blob; contentType: string } {
  const { head, tail, contentType } = multipartFrame(fields, file, randomBoundary())
  return { body: new Blob([head, file.blob, tail]), contentType }
}

interface Frame {
  head: Uint8Array<ArrayBuffer>
  tail: Uint8Array<ArrayBuffer>
  contentType: string
}

function multipartFrame(
  fields: ReadonlyArray<readonly [string, string]>,
  file: Pick<MultipartFilePart, 'name' | 'filename' | 'contentType'>,
  boundary: string,
): Frame {
  const text = fields.map(([name, value]) => fieldPart(boundary, name, value)).join('')
  return {
    head: encoder.encode(text + fileHeader(boundary, file)),
    tail: encoder.encode(`${CRLF}--${boundary}--${CRLF}`),
    contentType: `multipart/form-data; boundary=${boundary}`,
  }
}

async function* concat(
  head: Uint8Array,
  chunks: AsyncIterable<Uint8Array>,
  tail: Uint8Array,
): AsyncGenerator<Uint8Array> {
  yield head
  yield* chunks
  yield tail
}

function fieldPart(boundary: string, name: string, value: string): string {
  return `--${boundary}${CRLF}Content-Disposition: form-data; name="${escapeQuoted(name)}"${CRLF}${CRLF}${value}${CRLF}`
}

function fileHeader(
  boundary: string,
  file: Pick<MultipartFilePart, 'name' | 'filename' | 'contentType'>,
): string {
  return (
    `--${boundary}${CRLF}` +
    `Content-Disposition: form-data; name="${escapeQuoted(file.name)}"; ${filenameParams(file.filename)}${CRLF}` +
    `Content-Type: ${file.contentType}${CRLF}${CRLF}`
  )
}

/**
 * Browsers send the UTF-8 name raw in `filename` (WHATWG HTML form encoding); parsers that read
 * parameters as latin1 (busboy's default) need RFC 5987's `filename*`, so non-ASCII names get both.
 */
export function filenameParams(filename: string): string {
  const plain = `filename="${escapeQuoted(filename)}"`
  if (!/[\u0080-\uffff]/.test(filename)) return plain
  return `${plain}; filename*=UTF-8''${encodeRfc5987(filename)}`
}

/** WHATWG HTML multipart encoding: `"` → %22, CR → %0D, LF → %0A. */
function escapeQuoted(value: string): string {
  return value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')
}

function encodeRfc5987(value: string): string {
  return encodeURIComponent(value).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  )
}

function randomBoundary(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return `granary-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`
}
