import type { ClientRequest, IncomingMessage } from 'node:http'
import { readChunks } from './body-stream.ts'
import { NetworkError } from './errors.ts'
import type { StreamingRequestInit } from './transport.ts'

const REDIRECT = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 20
const NULL_BODY = new Set([204, 205, 304])

/** Whether nodeRequest can send this body (else the caller uses fetch). */
export function nodeSendable(body: unknown): boolean {
  return (
    body === undefined ||
    body === null ||
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream)
  )
}

/**
 * fetch's job through `node:http` (Node): an API call or an upload, answered as a web Response.
 * Loading undici and compiling its WebAssembly parser costs a short-lived process (the CLI)
 * ~0.1 s of CPU and holds its exit as long, and its request streams add a layer per chunk.
 * As with fetch: redirects are followed for bodiless requests (the API key is not sent to
 * another origin); a streamed body is never replayed, so a redirect of one is a NetworkError; a
 * socket failure is a NetworkError, an abort rejects with the signal's reason, and an error
 * raised by the body's source comes out as itself.
 */
export async function nodeRequest(
  url: URL | string,
  init: StreamingRequestInit,
  setting: string,
): Promise<Response> {
  let current = new URL(url)
  const headers = plainHeaders(init.headers)
  const method = (init.method ?? 'GET').toUpperCase()
  const body = init.body ?? undefined
  const signal = init.signal ?? undefined
  for (let hop = 0; ; hop++) {
    const res = await send(current, { method, headers, body, signal }, setting)
    const location = res.headers.location
    if (!REDIRECT.has(res.statusCode ?? 0) || !location) return toResponse(res, current)
    res.resume()
    if (body !== undefined || hop >= MAX_REDIRECTS) {
      const why =
        body === undefined ? `more than ${MAX_REDIRECTS} redirects` : 'unexpected redirect'
      throw new NetworkError(String(url), new Error(why), setting)
    }
    const next = new URL(location, current)
    if (next.origin !== current.origin) delete headers.authorization
    current = next
  }
}

interface Outgoing {
  method: string
  headers: Record<string, string>
  body: BodyInit | undefined
  signal: AbortSignal | undefined
}

async function send(url: URL, out: Outgoing, setting: string): Promise<IncomingMessage> {
  const http = url.protocol === 'https:' ? await import('node:https') : await import('node:http')
  out.signal?.throwIfAborted()
  const failure = (err: unknown) =>
    out.signal?.aborted ? out.signal.reason : new NetworkError(String(url), err, setting)
  return new Promise((resolve, reject) => {
    let answered = false
    const req = http.request(url, {
      method: out.method,
      headers: out.body === undefined ? out.headers : withLength(out.headers, out.body),
      ...(out.signal ? { signal: out.signal } : {}),
    })
    req.on('error', (err) => reject(failure(err)))
    let cut = false
    req.on('response', (res) => {
      answered = true
      // An answer before the whole body was sent: the connection cannot serve another request.
      if (cut) res.on('close', () => req.destroy())
      resolve(res)
    })
    writeBody(req, out.body, () => answered).then(
      (complete) => {
        cut = !complete
      },
      (err: unknown) => {
        req.destroy()
        reject(err)
      },
    )
  })
}

/** A string or bytes body gets its Content-Length, as fetch gives it. */
function withLength(headers: Record<string, string>, body: BodyInit): Record<string, string> {
  if (typeof body === 'string' && !('content-length' in headers)) {
    return { ...headers, 'content-length': String(Buffer.byteLength(body)) }
  }
  if (body instanceof Uint8Array && !('content-length' in headers)) {
    return { ...headers, 'content-length': String(body.byteLength) }
  }
  return headers
}

/**
 * Sends the body, waiting for the socket to drain between chunks (memory stays flat). An answer
 * arriving early (an error before the whole body was read) stops the sending.
 */
async function writeBody(
  req: ClientRequest,
  body: BodyInit | undefined,
  answered: () => boolean,
): Promise<boolean> {
  if (body === undefined || typeof body === 'string' || body instanceof Uint8Array) {
    req.end(body)
    return true
  }
  for await (const chunk of readChunks(body as ReadableStream<Uint8Array>)) {
    if (answered() || req.destroyed) return false
    if (!req.write(chunk)) await drained(req)
  }
  if (answered() || req.destroyed) return false
  req.end()
  return true
}

function drained(req: ClientRequest): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      req.off('drain', done)
      req.off('close', done)
      resolve()
    }
    req.on('drain', done)
    req.on('close', done)
  })
}

function toResponse(res: IncomingMessage, url: URL): Response {
  const headers = new Headers()
  for (const [name, value] of Object.entries(res.headers)) {
    if (value === undefined) continue
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one)
  }
  const status = res.statusCode ?? 0
  const body = NULL_BODY.has(status) ? null : webStream(res)
  if (body === null) res.resume()
  const response = new Response(body, { status, statusText: res.statusMessage ?? '', headers })
  Object.defineProperty(response, 'url', { value: String(url) })
  return response
}

/** The answer's body as a web stream, pulled as it is read (a download stays streamed). */
function webStream(res: IncomingMessage): ReadableStream<Uint8Array> {
  const iterator = (res as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
    cancel() {
      res.destroy()
    },
  })
}

function plainHeaders(init: HeadersInit | undefined): Record<string, string> {
  const headers: Record<string, string> = {}
  new Headers(init).forEach((value, name) => {
    headers[name] = value
  })
  return headers
}
