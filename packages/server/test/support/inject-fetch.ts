/**
 * A `fetch` that answers requests to `origin` from a Fastify app in-process (`app.inject()`), so
 * clients run against the real app without a socket. Bodies stream both ways: a request body is
 * piped into inject as it is read, and the answer is handed back as a stream. Other origins
 * (S3's presigned URLs) go to the real fetch.
 */
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type { FastifyInstance } from 'fastify'

type Init = RequestInit & { duplex?: 'half' }

const REDIRECTS = new Set([301, 302, 303, 307, 308])

export function injectFetch(app: FastifyInstance, origin: string): typeof fetch {
  const injected = async (input: string | URL | Request, init: Init = {}): Promise<Response> => {
    const request = new Request(input, { ...init, ...(init.body ? { duplex: 'half' } : {}) })
    const url = new URL(request.url)
    if (url.origin !== origin) return fetch(request)
    request.signal.throwIfAborted()
    const payload = request.body ? Readable.fromWeb(request.body as NodeReadableStream) : undefined
    const aborted = new Promise<never>((_, reject) => {
      request.signal.addEventListener('abort', () => {
        // As a dropped socket does: the app's request errors, so a handler streaming the body
        // stops instead of waiting for bytes that will never come.
        payload?.on('error', () => {})
        payload?.destroy(new Error('The client aborted the request'))
        reject(request.signal.reason)
      })
    })
    aborted.catch(() => {}) // settled after the answer: nobody is waiting any more
    const answer = await Promise.race([
      app.inject({
        method: request.method as 'GET',
        url: `${url.pathname}${url.search}`,
        headers: Object.fromEntries(request.headers),
        ...(payload ? { payload } : {}),
        payloadAsStream: true,
      }),
      aborted,
    ])
    const location = answer.headers.location
    if (REDIRECTS.has(answer.statusCode) && location && request.redirect === 'follow') {
      answer.stream().resume()
      const next = new URL(String(location), url)
      const keepsBody = answer.statusCode === 307 || answer.statusCode === 308
      return injected(next, keepsBody ? { method: request.method } : { method: 'GET' })
    }
    const headers = new Headers()
    for (const [name, value] of Object.entries(answer.headers)) {
      if (value !== undefined)
        headers.set(name, Array.isArray(value) ? value.join(', ') : `${value}`)
    }
    const empty = request.method === 'HEAD' || [204, 304].includes(answer.statusCode)
    const body = empty ? null : pulled(answer.stream())
    if (empty) answer.stream().resume()
    return new Response(body, { status: answer.statusCode, headers })
  }
  return injected as typeof fetch
}

/**
 * `stream` as a web stream read on demand. (Readable.toWeb pushes data into the controller even
 * after the reader cancelled, which throws ERR_INVALID_STATE on Node 20.)
 */
function pulled(stream: Readable): ReadableStream<Uint8Array> {
  const chunks = stream[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await chunks.next()
      if (done) controller.close()
      else controller.enqueue(new Uint8Array(value as Buffer))
    },
    async cancel() {
      await chunks.return?.()
      stream.destroy()
    },
  })
}
