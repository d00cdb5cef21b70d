/** A multipart/form-data body with one `file` part, streamed around any byte source (RFC 7578). */
import { randomBytes } from 'node:crypto'

export interface MultipartBody {
  readonly contentType: string
  readonly length: number
  readonly chunks: AsyncIterable<Buffer>
}

export function multipartBody(
  filename: string,
  size: number,
  source: AsyncIterable<Buffer>,
): MultipartBody {
  const boundary = `granary-bench-${randomBytes(12).toString('hex')}`
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      'Content-Type: application/octet-stream\r\n\r\n',
  )
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`)
  async function* chunks() {
    yield head
    yield* source
    yield tail
  }
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    length: head.length + size + tail.length,
    chunks: chunks(),
  }
}
