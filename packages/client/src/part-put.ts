import { counted, streamFrom } from './body-stream.ts'
import { nodeDigests } from './digest.ts'
import { ApiError } from './errors.ts'
import { withSourceErrors } from './file-upload.ts'
import type { ProgressMeter } from './progress-meter.ts'
import { PartVerificationError } from './retry.ts'
import type { StreamingRequestInit, Transport } from './transport.ts'
import type { PartUrl } from './upload-sessions.ts'
import type { ResolvedSource } from './upload-source.ts'

/** The store refused a part URL (403): expired, or signed for other bytes. Sign it again. */
export class PartUrlRefused extends Error {
  override readonly name = 'PartUrlRefused'
}

export interface SendPartOptions {
  /** Byte offset of the part in the source. */
  offset: number
  meter: ProgressMeter
  signal: AbortSignal
  /** Compare what the store says it received with what was sent (default true). */
  verify?: boolean
}

/**
 * PUTs one part, streamed from the source (never the whole file), hashing it on the way, and
 * checks what the store says it received: the local backend's SHA-256, or S3's ETag when it is a
 * plain MD5 (AWS without SSE-KMS, Ceph RGW).
 */
export async function sendPart(
  transport: Transport,
  part: PartUrl,
  source: ResolvedSource,
  options: SendPartOptions,
): Promise<void> {
  const { init, sent, digests } = await partRequest(transport, part, source, options)
  try {
    const response = await withSourceErrors(() => transport.fetchOk(part.url, init))
    const sentDigests = options.verify === false ? undefined : digests
    await verifyPart(response, part, sentDigests && { sha256: sentDigests[0], md5: sentDigests[1] })
    if (init.duplex === undefined) options.meter.add(part.size)
  } catch (err) {
    options.meter.add(-sent())
    if (err instanceof ApiError && err.status === 403) {
      throw new PartUrlRefused(`The store refused part ${part.part_number}'s URL: ${err.message}`, {
        cause: err,
      })
    }
    throw err
  }
}

async function partRequest(
  transport: Transport,
  part: PartUrl,
  source: ResolvedSource,
  options: SendPartOptions,
) {
  const end = options.offset + part.size
  const headers = { ...part.headers, 'content-length': String(part.size) }
  const init: StreamingRequestInit = { method: 'PUT', headers, signal: options.signal }
  let sent = 0
  if (source.blob && !transport.streamUploads) {
    // Browsers: the Blob slice goes from disk as is; no hash to compare with.
    init.body = source.blob.slice(options.offset, end)
    return { init, sent: () => 0, digests: undefined }
  }
  if (!source.readRange) throw new TypeError('A multipart upload needs a file path or a Blob.')
  const digests = await nodeDigests(['sha256', 'md5'])
  const onBytes = (loaded: number) => {
    options.meter.add(loaded - sent)
    sent = loaded
  }
  const chunks = counted(source.readRange(options.offset, end), { size: part.size, onBytes })
  init.body = streamFrom(hashed(chunks, digests ?? []))
  init.duplex = 'half'
  return { init, sent: () => sent, digests }
}

async function* hashed(
  chunks: AsyncIterable<Uint8Array>,
  digests: ReadonlyArray<{ update(bytes: Uint8Array): void }>,
): AsyncGenerator<Uint8Array> {
  for await (const chunk of chunks) {
    for (const digest of digests) digest.update(chunk)
    yield chunk
  }
}

interface SentDigests {
  sha256: { digest(): string } | undefined
  md5: { digest(): string } | undefined
}

async function verifyPart(
  response: Response,
  part: PartUrl,
  digests: SentDigests | undefined,
): Promise<void> {
  const isJson = response.headers.get('content-type')?.includes('json') ?? false
  const body = isJson ? await response.json().catch(() => undefined) : undefined
  if (!isJson) await response.body?.cancel()
  if (!digests) return
  const stored = (body ?? {}) as { sha256?: unknown; size?: unknown }
  if (typeof stored.size === 'number' && stored.size !== part.size) {
    throw mismatch(part, `${stored.size} bytes stored, ${part.size} sent`)
  }
  if (typeof stored.sha256 === 'string') {
    const sent = digests.sha256?.digest()
    if (stored.sha256 !== sent) throw mismatch(part, `SHA-256 ${stored.sha256}, sent ${sent}`)
    return
  }
  const etag = plainMd5(response.headers.get('etag'))
  const md5 = digests.md5?.digest()
  if (etag && md5 && etag !== md5) throw mismatch(part, `ETag ${etag}, sent MD5 ${md5}`)
}

/** An ETag that is a bare MD5 hex (not `W/`, not a multipart `-n` tag), lower-cased. */
export function plainMd5(etag: string | null): string | undefined {
  const bare = etag?.trim().replace(/^"(.*)"$/, '$1')
  return bare && /^[0-9a-f]{32}$/i.test(bare) ? bare.toLowerCase() : undefined
}

function mismatch(part: PartUrl, what: string): PartVerificationError {
  return new PartVerificationError(`Part ${part.part_number} arrived different: ${what}.`)
}
