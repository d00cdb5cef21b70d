/**
 * The benchmark's HTTP client: node:http with keep-alive, bodies streamed from async iterables
 * with backpressure, downloads counted and discarded. Kept minimal so the client costs every
 * server the same.
 */
import { Agent, type IncomingMessage, request } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

export const agent = new Agent({ keepAlive: true, maxSockets: 256 })

export interface SendOptions {
  method?: string
  headers?: Record<string, string | number>
  body?: AsyncIterable<Buffer> | Buffer | string
}

export interface Answer {
  readonly status: number
  readonly headers: IncomingMessage['headers']
  readonly text: string
}

/** Sends a request, streaming its body, and reads the (small) answer. */
export async function send(url: string, options: SendOptions = {}): Promise<Answer> {
  const outgoing = request(url, {
    method: options.method ?? 'GET',
    headers: options.headers,
    agent,
  })
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    outgoing.once('response', resolve)
    outgoing.once('error', reject)
  })
  const sent = writeBody(outgoing, options.body)
  const response = await answered
  const text = await readText(response)
  // A server may answer (and stop reading) before the body is all sent; the answer says why.
  await sent.catch((error: unknown) => {
    if ((response.statusCode ?? 0) < 400) throw error
  })
  return { status: response.statusCode ?? 0, headers: response.headers, text }
}

/** Sends and expects `status`, answering the parsed JSON. */
export async function sendJson<T>(url: string, status: number, options: SendOptions = {}) {
  const answer = await send(url, options)
  if (answer.status !== status) {
    throw new Error(
      `${options.method ?? 'GET'} ${url}: ${answer.status} ${answer.text.slice(0, 300)}`,
    )
  }
  return (answer.text ? JSON.parse(answer.text) : undefined) as T
}

/** GETs a URL and counts the body's bytes without keeping them. */
export async function download(url: string, headers: Record<string, string> = {}) {
  const outgoing = request(url, { headers, agent })
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    outgoing.once('response', resolve)
    outgoing.once('error', reject)
    outgoing.end()
  })
  let bytes = 0
  for await (const chunk of response) bytes += (chunk as Buffer).length
  return { status: response.statusCode ?? 0, bytes }
}

async function writeBody(outgoing: ReturnType<typeof request>, body: SendOptions['body']) {
  if (body === undefined || typeof body === 'string' || Buffer.isBuffer(body)) {
    outgoing.end(body)
    return
  }
  await pipeline(Readable.from(body, { objectMode: false }), outgoing)
}

async function readText(response: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of response) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
