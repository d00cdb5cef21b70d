import type { IncomingHttpHeaders, IncomingMessage } from 'node:http'
import { apiErrorFrom, NetworkError } from './errors.ts'

/** A GET's answer with the body as plain byte chunks (Node streams or a web stream, unwrapped). */
export interface BodyResponse {
  status: number
  headers: Headers
  body: AsyncIterable<Uint8Array>
  /**
   * Reads the body chunk by chunk (instead of `body`, not with it); when `onChunk` answers a
   * promise, reading pauses until it settles, and its rejection ends the read with that error.
   */
  each(onChunk: (chunk: Uint8Array) => Promise<void> | undefined): Promise<void>
  /** Stops reading the body and frees the connection. */
  cancel(): Promise<void>
}

export interface GetInit {
  headers?: Record<string, string>
  signal?: AbortSignal | undefined
}

const REDIRECT = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 20
/** Socket reads of 64 KiB pile up to this before the stream pauses the socket. */
const HIGH_WATER = 1024 * 1024

/** Whether this runs in Node (where `node:http` exists), not in a browser. */
export function inNode(): boolean {
  const proc = (globalThis as { process?: { versions?: { node?: unknown } } }).process
  return typeof proc?.versions?.node === 'string'
}

/**
 * A GET through `node:http`/`node:https` (Node only): undici's fetch spends about four times
 * curl's CPU turning socket reads into web-stream chunks, while an IncomingMessage hands the
 * socket's buffers over as they are. Redirects are followed (S3 links answer 307 to a presigned
 * URL), the API key is not sent to another origin, a non-2xx answer raises ApiError and a socket
 * failure NetworkError, as the fetch path does.
 */
export async function nodeGet(url: string, init: GetInit, setting: string): Promise<BodyResponse> {
  let current = new URL(url)
  const headers = { ...init.headers }
  for (let hop = 0; ; hop++) {
    const res = await request(current, headers, init.signal, setting)
    const location = res.headers.location
    if (REDIRECT.has(res.statusCode ?? 0) && location) {
      res.resume()
      if (hop >= MAX_REDIRECTS) {
        throw new NetworkError(url, new Error(`more than ${MAX_REDIRECTS} redirects`), setting)
      }
      const next = new URL(location, current)
      if (next.origin !== current.origin) delete headers.authorization
      current = next
      continue
    }
    const status = res.statusCode ?? 0
    const webHeaders = toHeaders(res.headers)
    if (status < 200 || status > 299) {
      const text = await readText(res).catch(() => '')
      const nullBody = [204, 205, 304].includes(status)
      const response = new Response(nullBody ? null : text, { status, headers: webHeaders })
      throw await apiErrorFrom(response, setting)
    }
    const body = await decoded(res)
    const fail = (err: unknown) =>
      init.signal?.aborted ? init.signal.reason : new NetworkError(String(current), err, setting)
    return {
      status,
      headers: webHeaders,
      body: chunksOf(body, fail),
      each: (onChunk) => eachChunk(body, onChunk, fail),
      cancel: async () => {
        body.destroy()
        res.destroy()
      },
    }
  }
}

async function request(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  setting: string,
): Promise<IncomingMessage> {
  // Imported through a call, so browser bundlers leave node:http alone.
  const http = url.protocol === 'https:' ? await import('node:https') : await import('node:http')
  signal?.throwIfAborted()
  return new Promise((resolve, reject) => {
    const options = { headers, highWaterMark: HIGH_WATER, ...(signal ? { signal } : {}) }
    const req = http.get(url, options, resolve)
    req.on('error', (err) => {
      reject(signal?.aborted ? signal.reason : new NetworkError(String(url), err, setting))
    })
  })
}

/** fetch decodes a Content-Encoding; so does this path, so both write the same bytes. */
async function decoded(res: IncomingMessage): Promise<Body> {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase()
  if (!['gzip', 'x-gzip', 'deflate', 'br'].includes(encoding)) return res
  const zlib = await import('node:zlib')
  const { pipeline } = await import('node:stream')
  const decoder =
    encoding === 'br'
      ? zlib.createBrotliDecompress()
      : encoding === 'deflate'
        ? zlib.createInflate()
        : zlib.createGunzip()
  pipeline(res, decoder, () => {})
  return decoder
}

type Body = NodeJS.ReadableStream & { destroy(error?: Error): void; readableEnded?: boolean }

async function* chunksOf(
  body: AsyncIterable<unknown>,
  fail: (err: unknown) => unknown,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk as Uint8Array
  } catch (err) {
    // A body cut mid-way (socket reset, server gone) is a network failure, retried like fetch's.
    throw fail(err)
  }
}

/**
 * The body through 'data' events: each socket read is handed over as it is, where async
 * iteration would make a promise per chunk and copy every chunk that waited into one buffer.
 */
function eachChunk(
  body: Body,
  onChunk: (chunk: Uint8Array) => Promise<void> | undefined,
  fail: (err: unknown) => unknown,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false
    const stop = (err: unknown) => {
      if (settled) return
      settled = true
      body.destroy()
      reject(err)
    }
    body.on('data', (chunk: Uint8Array) => {
      if (settled) return
      const wait = onChunk(chunk)
      if (!wait) return
      body.pause()
      wait.then(() => {
        if (!settled) body.resume()
      }, stop)
    })
    body.on('end', () => {
      settled = true
      resolve()
    })
    body.on('error', (err: unknown) => stop(fail(err)))
    // A socket closed before the end (no 'error' on every Node version) is a cut body too.
    body.on('close', () => {
      if (!body.readableEnded) stop(fail(new Error('the connection closed before the body ended')))
    })
  })
}

function toHeaders(raw: IncomingHttpHeaders): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one)
  }
  return headers
}

/** An error answer's body, capped: it is JSON or a short page, never the file. */
async function readText(res: IncomingMessage): Promise<string> {
  const parts: Buffer[] = []
  let size = 0
  for await (const chunk of res as AsyncIterable<Buffer>) {
    parts.push(chunk)
    size += chunk.byteLength
    if (size > 64 * 1024) break
  }
  res.destroy()
  return Buffer.concat(parts).toString('utf8')
}
