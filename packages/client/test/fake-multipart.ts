import { createHash } from 'node:crypto'
import { errorResponse, fakeFetch, fileInfo, json, type SeenRequest } from './fake-fetch.ts'

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex')
const md5 = (bytes: Uint8Array) => createHash('md5').update(bytes).digest('hex')

export interface FakeMultipartOptions {
  partSize: number
  /** `local`: parts answer JSON with their SHA-256; `s3`: an empty body and an MD5 ETag. */
  backend?: 'local' | 's3'
  /** Seconds a part URL lives (default 3600). */
  urlLifetime?: number
  /** Replaces the answer to a part PUT (attempt counts from 1 per part); undefined: normal. */
  onPut?: (part: number, attempt: number, request: SeenRequest) => Response | undefined
  /** Parts the session holds before the test starts (resume). */
  stored?: Map<number, Uint8Array>
  status?: string
  /** S3 with SSE-KMS: part ETags look like MD5s but are not. */
  opaqueEtags?: boolean
  /** Time a part PUT takes (default 5 ms). */
  putDelayMs?: number
}

/**
 * An in-memory multipart server after docs/api.md ("Multipart sessions"): it signs part URLs,
 * stores parts, lists them and joins them on confirm, checking the declared SHA-256.
 */
export function fakeMultipartServer(options: FakeMultipartOptions) {
  const parts = options.stored ?? new Map<number, Uint8Array>()
  const attempts = new Map<number, number>()
  const signCalls: number[][] = []
  const confirmed: Array<Record<string, unknown>> = []
  let size = 0
  let signature = 0
  let inFlight = 0
  let maxInFlight = 0
  let bytesPut = 0
  const partCount = () => Math.max(1, Math.ceil(size / options.partSize))
  const partLength = (n: number) => Math.min(options.partSize, size - (n - 1) * options.partSize)
  const session = () => ({
    upload_id: 'up_1',
    file_key: 'bam/big.bam',
    workspace_id: 'ws_a',
    status: options.status ?? 'pending',
    multipart: true,
    size,
    part_size: options.partSize,
    part_count: partCount(),
    parts: [...parts].map(([n, bytes]) => ({
      part_number: n,
      size: bytes.byteLength,
      sha256: options.backend === 's3' ? null : sha256(bytes),
      etag: options.backend === 's3' ? `"${md5(bytes)}"` : null,
    })),
    created_at: 'T',
    expires_at: 'T',
  })
  const put = async (request: SeenRequest) => {
    const n = Number(request.url.pathname.split('/').pop())
    const attempt = (attempts.get(n) ?? 0) + 1
    attempts.set(n, attempt)
    bytesPut += request.body.byteLength
    const injected = options.onPut?.(n, attempt, request)
    if (injected) return injected
    parts.set(n, request.body)
    if (options.backend === 's3') {
      const etag = options.opaqueEtags ? 'f'.repeat(32) : md5(request.body)
      return new Response(null, { headers: { etag: `"${etag}"` } })
    }
    return json({ part_number: n, size: request.body.byteLength, sha256: sha256(request.body) })
  }
  const confirm = (body: Record<string, unknown>) => {
    confirmed.push(body)
    const missing = Array.from({ length: partCount() }, (_, i) => i + 1).filter(
      (n) => parts.get(n)?.byteLength !== partLength(n),
    )
    if (missing.length) {
      return json(
        {
          error: {
            code: 'upload_not_received',
            message: 'parts missing',
            details: { missing_parts: missing },
          },
        },
        409,
      )
    }
    const whole = Buffer.concat(
      [...parts.keys()].sort((a, b) => a - b).map((n) => parts.get(n) as Uint8Array),
    )
    if (body.sha256 && body.sha256 !== sha256(whole)) return errorResponse(422, 'checksum_mismatch')
    return json({ ...fileInfo('bam/big.bam', whole.byteLength), sha256: sha256(whole) })
  }
  const fetch = fakeFetch(async (request) => {
    const path = request.url.pathname
    const body =
      request.body.byteLength && path.startsWith('/v1/')
        ? JSON.parse(Buffer.from(request.body).toString())
        : {}
    if (path === '/v1/files/upload-url') {
      size = body.size
      if (!body.multipart)
        return json(
          {
            uploadUrl: 'http://blobs.test/single',
            fileKey: 'bam/big.bam',
            uploadId: 'up_s',
            expiresAt: 'T',
            method: 'PUT',
            headers: {},
          },
          201,
        )
      return json(
        {
          uploadId: 'up_1',
          fileKey: 'bam/big.bam',
          multipart: true,
          method: 'PUT',
          partSize: options.partSize,
          partCount: partCount(),
          expiresAt: 'T',
          headers: {},
        },
        201,
      )
    }
    if (path === '/v1/files/uploads/up_1/parts') {
      signCalls.push(body.part_numbers)
      const lifetime = (options.urlLifetime ?? 3600) * 1000
      const expires = Date.now() + lifetime
      return json({
        parts: body.part_numbers.map((n: number) => ({
          part_number: n,
          size: partLength(n),
          url: `http://blobs.test/parts/${n}?expires=${expires}&sig=${++signature}`,
          headers: { 'content-type': 'application/octet-stream' },
          expires_at: new Date(expires).toISOString(),
        })),
      })
    }
    if (path === '/v1/files/uploads/up_1') return json(session())
    if (path.startsWith('/parts/')) {
      // Checked on arrival, as S3 and the local backend do.
      const expires = Number(request.url.searchParams.get('expires'))
      if (expires < Date.now()) return errorResponse(403, 'url_expired')
      inFlight++
      maxInFlight = Math.max(maxInFlight, inFlight)
      await new Promise((resolve) => setTimeout(resolve, options.putDelayMs ?? 5))
      inFlight--
      return put(request)
    }
    if (path === '/v1/files/upload-confirm') return confirm(body)
    return errorResponse(404, 'route_not_found')
  })
  return {
    fetch,
    parts,
    signCalls,
    confirmed,
    attempts,
    setSize: (n: number) => {
      size = n
    },
    get maxInFlight() {
      return maxInFlight
    },
    get bytesPut() {
      return bytesPut
    },
  }
}
