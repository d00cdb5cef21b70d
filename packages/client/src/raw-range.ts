import type { Socket } from 'node:net'
import { NetworkError } from './errors.ts'
import type { BodyResponse } from './node-get.ts'

/** What a ranged download reads of an answer. */
export type RangeResponse = Pick<BodyResponse, 'status' | 'headers' | 'each' | 'cancel'> & {
  /** Hands chunks from `each` back for reuse once written (never touched again by the caller). */
  release?(chunks: readonly Uint8Array[]): void
}

/** The socket reads into this one buffer, reused for every read. */
const READ_BUFFER = 256 * 1024
/** The body is handed over in chunks of this size (the last one shorter). */
const CHUNK = 1024 * 1024
const MAX_HEAD = 64 * 1024

/**
 * Chunks handed back once written, reused while any range is being read: copying into fresh
 * memory costs a page fault per 4 KiB (a quarter of the download's CPU, profiled), reused
 * memory costs none. Emptied when the last reader finishes, so nothing is kept afterwards.
 */
const spare: Buffer[] = []
const SPARE_MAX = 16
let readers = 0

function takeChunk(size: number): Buffer {
  return (size === CHUNK ? spare.pop() : undefined) ?? Buffer.allocUnsafeSlow(size)
}

function releaseChunks(chunks: readonly Uint8Array[]): void {
  for (const chunk of chunks) {
    if (readers > 0 && spare.length < SPARE_MAX && chunk.byteLength === CHUNK) {
      if (Buffer.isBuffer(chunk) && chunk.byteOffset === 0) spare.push(chunk)
    }
  }
}

/**
 * One bounded Range GET of a plain-HTTP URL over a TCP socket (Node). node:http allocates a
 * 64 KiB Buffer for every socket read and runs each through its parser and a Readable; here the
 * socket reads into one reused buffer and the body is copied into 1 MiB chunks, which costs a
 * third less CPU per byte (measured: bench/src/client-vs-curl.ts). Answers undefined, its socket
 * closed, for anything but a 206 with a Content-Length and neither a transfer nor a content
 * coding: the caller then asks through node:http, which handles every case (errors, redirects).
 */
export async function rawRangeGet(
  url: URL,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
  setting: string,
): Promise<RangeResponse | undefined> {
  const net = await import('node:net')
  signal?.throwIfAborted()
  const reader = new RangeReader(String(url), setting, signal)
  const socket = net.connect({
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 80),
    onread: {
      buffer: Buffer.allocUnsafe(READ_BUFFER),
      callback: (n, buf) => reader.read(n, buf as Buffer),
    },
  })
  reader.attach(socket)
  socket.write(requestHead(url, headers))
  return reader.head
}

function requestHead(url: URL, headers: Record<string, string>): string {
  const lines = [`GET ${url.pathname}${url.search} HTTP/1.1`, `Host: ${url.host}`]
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name + value)) throw new TypeError(`Invalid header ${name}`)
    lines.push(`${name}: ${value}`)
  }
  // One range per connection: nothing to keep alive, and the end of the body is unambiguous.
  lines.push('Connection: close', '', '')
  return lines.join('\r\n')
}

type OnChunk = (chunk: Uint8Array) => Promise<void> | undefined

/**
 * The answer's head, then its body, from the socket's reads. Each read is copied out at once
 * (the read buffer is reused); full chunks queue for the consumer, and the socket pauses while
 * one waits, so at most two chunks are held.
 */
class RangeReader {
  readonly head: Promise<RangeResponse | undefined>
  readonly #url: string
  readonly #setting: string
  readonly #signal: AbortSignal | undefined
  #socket: Socket | undefined
  #resolveHead!: (response: RangeResponse | undefined) => void
  #rejectHead!: (err: unknown) => void
  #headText = ''
  #inBody = false
  /** Body bytes not read yet (the Content-Length, counted down). */
  #remaining = 0
  #chunk: Buffer | undefined
  #filled = 0
  readonly #queue: Buffer[] = []
  #onChunk: OnChunk | undefined
  #waiting = false
  #finish: { resolve: () => void; reject: (err: unknown) => void } | undefined
  /** Set once the answer is done with, well or not: later events change nothing. */
  #settled = false
  #failure: { error: unknown } | undefined
  readonly #onAbort = () => this.#fail(this.#signal?.reason)

  constructor(url: string, setting: string, signal: AbortSignal | undefined) {
    readers++
    this.#url = url
    this.#setting = setting
    this.#signal = signal
    this.head = new Promise((resolve, reject) => {
      this.#resolveHead = resolve
      this.#rejectHead = reject
    })
  }

  attach(socket: Socket): void {
    this.#socket = socket
    socket.on('error', (err) => this.#fail(this.#networkError(err)))
    socket.on('close', () => {
      if (this.#remaining > 0 || !this.#inBody) {
        this.#fail(this.#networkError(new Error('the connection closed before the body ended')))
      }
    })
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true })
  }

  /** The onread callback; false pauses the socket. */
  read(n: number, buf: Buffer): boolean {
    if (this.#settled) return false
    let offset = 0
    if (!this.#inBody) {
      offset = this.#readHead(n, buf)
      if (offset < 0) return !this.#settled
    }
    this.#copy(buf, offset, n)
    if (this.#remaining === 0) this.#socket?.destroy()
    this.#pump()
    return this.#onChunk !== undefined && !this.#waiting && this.#queue.length === 0
  }

  /** Answers the body's offset in `buf`, or -1 when the head is not complete (or refused). */
  #readHead(n: number, buf: Buffer): number {
    const before = this.#headText.length
    this.#headText += buf.toString('latin1', 0, n)
    const end = this.#headText.indexOf('\r\n\r\n')
    if (end < 0) {
      if (this.#headText.length > MAX_HEAD) {
        this.#fail(this.#networkError(new Error('the answer head is too long')))
      }
      return -1
    }
    this.#inBody = true
    const response = this.#parseHead(this.#headText.slice(0, end))
    if (!response) {
      this.#settle()
      this.#resolveHead(undefined)
      return -1
    }
    this.#resolveHead(response)
    return end + 4 - before
  }

  #parseHead(text: string): RangeResponse | undefined {
    const [statusLine = '', ...lines] = text.split('\r\n')
    const status = Number(/^HTTP\/1\.[01] (\d{3}) /.exec(statusLine)?.[1])
    const headers = new Headers()
    for (const line of lines) {
      const colon = line.indexOf(':')
      if (colon > 0) headers.append(line.slice(0, colon).trim(), line.slice(colon + 1).trim())
    }
    const length = Number(headers.get('content-length') ?? Number.NaN)
    const encoded = headers.has('transfer-encoding') || headers.has('content-encoding')
    if (status !== 206 || !Number.isSafeInteger(length) || length < 0 || encoded) return undefined
    this.#remaining = length
    return {
      status,
      headers,
      each: (onChunk) => this.#each(onChunk),
      release: releaseChunks,
      cancel: async () => this.#fail(new Error('The download was cancelled.')),
    }
  }

  #each(onChunk: OnChunk): Promise<void> {
    if (this.#onChunk) throw new Error('The body is already being read.')
    const done = new Promise<void>((resolve, reject) => {
      this.#finish = { resolve, reject }
    })
    this.#onChunk = onChunk
    if (this.#failure) this.#finish?.reject(this.#failure.error)
    else this.#pump()
    return done
  }

  #copy(buf: Buffer, from: number, to: number): void {
    let offset = from
    while (offset < to && this.#remaining > 0) {
      this.#chunk ??= takeChunk(Math.min(CHUNK, this.#remaining))
      const take = Math.min(to - offset, this.#chunk.length - this.#filled)
      buf.copy(this.#chunk, this.#filled, offset, offset + take)
      this.#filled += take
      this.#remaining -= take
      offset += take
      if (this.#filled === this.#chunk.length) {
        this.#queue.push(this.#chunk)
        this.#chunk = undefined
        this.#filled = 0
      }
    }
  }

  /** Hands queued chunks over while the consumer keeps up; resumes the socket when it has. */
  #pump(): void {
    const onChunk = this.#onChunk
    if (!onChunk || this.#failure) return
    while (!this.#waiting && this.#queue.length > 0) {
      const chunk = this.#queue.shift() as Buffer
      let wait: Promise<void> | undefined
      try {
        wait = onChunk(chunk)
      } catch (err) {
        this.#fail(err)
        return
      }
      if (!wait) continue
      this.#waiting = true
      wait.then(
        () => {
          this.#waiting = false
          this.#pump()
        },
        (err: unknown) => this.#fail(err),
      )
    }
    if (this.#waiting) return
    if (this.#remaining === 0 && this.#queue.length === 0) {
      this.#settle()
      this.#finish?.resolve()
    } else if (!this.#settled) {
      this.#socket?.resume()
    }
  }

  #fail(error: unknown): void {
    if (this.#settled) return
    this.#failure = { error }
    this.#settle()
    this.#rejectHead(error)
    this.#finish?.reject(error)
  }

  #settle(): void {
    if (!this.#settled && --readers === 0) spare.length = 0
    this.#settled = true
    this.#socket?.destroy()
    this.#signal?.removeEventListener('abort', this.#onAbort)
  }

  #networkError(err: unknown): unknown {
    return this.#signal?.aborted
      ? this.#signal.reason
      : new NetworkError(this.#url, err, this.#setting)
  }
}
