import { readChunks } from '../src/body-stream.ts'
import type { FetchLike } from '../src/transport.ts'

/** A request as a server would see it: body read to the end. */
export interface SeenRequest {
  method: string
  url: URL
  headers: Headers
  body: Uint8Array
  redirect: RequestRedirect | undefined
}

export type Handler = (request: SeenRequest) => Response | Promise<Response>

/**
 * A fetch backed by an in-test handler; records every request after draining its body, the way
 * a server would, so streaming bodies are pulled exactly like undici pulls them.
 */
export function fakeFetch(handler: Handler): FetchLike & { requests: SeenRequest[] } {
  const requests: SeenRequest[] = []
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const request: SeenRequest = {
      method: init.method ?? 'GET',
      url: new URL(String(input)),
      headers: new Headers(init.headers),
      body: await drain(init.body),
      redirect: init.redirect,
    }
    requests.push(request)
    return handler(request)
  }
  return Object.assign(fetch, { requests })
}

async function drain(body: BodyInit | null | undefined): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array()
  if (body instanceof ReadableStream) {
    const parts: Uint8Array[] = []
    for await (const chunk of readChunks(body as ReadableStream<Uint8Array>)) parts.push(chunk)
    return Buffer.concat(parts)
  }
  return new Uint8Array(await new Response(body).arrayBuffer())
}

export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  })
}

export function errorResponse(status: number, code: string, message = code): Response {
  return json({ error: { code, message, request_id: 'req-test' } }, status)
}

export interface Part {
  headers: Record<string, string>
  body: Buffer
}

/** Parses a multipart/form-data body back into its parts (RFC 7578), for assertions. */
export function parseMultipart(body: Uint8Array, contentType: string): Part[] {
  const boundary = /boundary=([^;]+)/.exec(contentType)?.[1]
  if (!boundary) throw new Error(`no boundary in ${contentType}`)
  const text = Buffer.from(body)
  const delimiter = Buffer.from(`--${boundary}`)
  const parts: Part[] = []
  let start = text.indexOf(delimiter)
  while (start !== -1) {
    const afterDelimiter = start + delimiter.length
    if (text.subarray(afterDelimiter, afterDelimiter + 2).toString() === '--') break
    const next = text.indexOf(Buffer.from(`\r\n--${boundary}`), afterDelimiter)
    if (next === -1) throw new Error('unterminated part')
    parts.push(parsePart(text.subarray(afterDelimiter + 2, next)))
    start = next + 2
  }
  return parts
}

function parsePart(raw: Buffer): Part {
  const split = raw.indexOf('\r\n\r\n')
  const headers: Record<string, string> = {}
  for (const line of raw.subarray(0, split).toString('utf8').split('\r\n')) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  return { headers, body: raw.subarray(split + 4) }
}

/** `name="…"` of a part's Content-Disposition. */
export function dispositionParam(part: Part, param: string): string | undefined {
  const match = new RegExp(`;\\s*${param.replace('*', '\\*')}=("([^"]*)"|[^;]+)`).exec(
    part.headers['content-disposition'] ?? '',
  )
  return match?.[2] ?? match?.[1]
}

export function fileInfo(key: string, size = 0): Record<string, unknown> {
  return {
    id: `f_${key}`,
    workspace_id: 'ws_test',
    key,
    name: key.split('/').pop(),
    size,
    content_type: 'application/octet-stream',
    description: null,
    sha256: '0'.repeat(64),
    created_at: '2025-01-01T00:00:00.000Z',
    updated_at: '2025-01-01T00:00:00.000Z',
  }
}
