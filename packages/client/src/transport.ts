import { readChunks } from './body-stream.ts'
import { ApiError, apiErrorFrom, NetworkError, notGranaryError } from './errors.ts'
import { type BodyResponse, type GetInit, nodeGet } from './node-get.ts'
import { nodeRequest, nodeSendable } from './node-request.ts'
import { type RangeResponse, rawRangeGet } from './raw-range.ts'
import { sleep } from './retry.ts'

export type FetchLike = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

/** `duplex` is required by Node's fetch for stream bodies and missing from lib.dom's RequestInit. */
export type StreamingRequestInit = RequestInit & { duplex?: 'half' }

export type Query = Record<string, string | number | boolean | undefined>

export interface RequestOptions {
  query?: Query
  /** Sent as JSON. */
  json?: unknown
  body?: BodyInit
  headers?: Record<string, string>
  signal?: AbortSignal | undefined
}

export interface TransportConfig {
  readonly baseUrl: string
  readonly apiKey: string | undefined
  readonly fetch: FetchLike
  /** Send upload bodies as streams (Node); false: send a Blob as a Blob (browsers). */
  readonly streamUploads: boolean
  /** How a 429 or 503 is retried (see BUSY_RETRY_DEFAULT). */
  readonly busyRetry?: Partial<BusyRetry> | undefined
  /** Where the base URL came from, named in messages ('GRANARY_URL', 'baseUrl', '--url'). */
  readonly urlSetting?: string
  /** Calls and bodies through node:http instead of fetch (Node, no injected fetch): less CPU. */
  readonly nodeHttp?: boolean
}

/** Retries of a 429 (rate limited) or 503 (busy) answer, waiting what `Retry-After` asks. */
export interface BusyRetry {
  /** Retries after the first answer; 0 turns retrying off. */
  readonly retries: number
  /** The longest wait accepted; a longer `Retry-After` is raised at once. */
  readonly maxDelayMs: number
}

export const BUSY_RETRY_DEFAULT: BusyRetry = Object.freeze({ retries: 3, maxDelayMs: 60_000 })

/** The one place that speaks HTTP: base URL, auth header, network and error mapping. */
export class Transport {
  readonly #config: TransportConfig

  constructor(config: TransportConfig) {
    this.#config = Object.freeze({ ...config, baseUrl: config.baseUrl.replace(/\/+$/, '') })
    if (!/^https?:\/\/[^/\s]/i.test(config.baseUrl)) {
      throw new TypeError(
        `${this.#setting} is '${config.baseUrl}', which is not an http(s) URL: add the scheme, e.g. http://${config.baseUrl.replace(/^\w+:\/\//, '')}`,
      )
    }
  }

  get baseUrl(): string {
    return this.#config.baseUrl
  }

  get #setting(): string {
    return this.#config.urlSetting ?? 'GRANARY_URL'
  }

  get streamUploads(): boolean {
    return this.#config.streamUploads
  }

  /** Resolves a path (or an absolute URL) against the base URL and adds the defined params. */
  url(path: string, query: Query = {}): URL {
    const url = new URL(/^https?:\/\//i.test(path) ? path : `${this.#config.baseUrl}${path}`)
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) url.searchParams.set(name, String(value))
    }
    return url
  }

  /** An authenticated call to the API; JSON answer parsed, 204 → undefined. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options)
    if (response.status === 204) return undefined as T
    const foreign = notGranaryError(response, this.#setting)
    if (foreign) {
      await response.body?.cancel()
      throw foreign
    }
    return (await response.json()) as T
  }

  /** An authenticated call to the API; throws ApiError unless the answer is 2xx. */
  async send(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers }
    if (this.#config.apiKey) headers.authorization = `Bearer ${this.#config.apiKey}`
    let body = options.body
    if (options.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(options.json)
    }
    const init: StreamingRequestInit = { method, headers, signal: options.signal ?? null }
    if (body !== undefined) init.body = body
    if (isStream(body)) init.duplex = 'half'
    return this.fetchOk(this.url(path, options.query), init)
  }

  /**
   * A plain fetch (no Authorization: signed URLs) with network and HTTP errors mapped. A 429 or
   * 503 is sent again after its `Retry-After` (a few times, bounded) when the body can be replayed.
   */
  async fetchOk(url: URL | string, init: StreamingRequestInit): Promise<Response> {
    const replayable = !isStream(init.body)
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#fetchOnce(url, init)
      } catch (err) {
        const wait = replayable ? this.busyDelay(err, attempt) : undefined
        if (wait === undefined) throw err
        await sleep(wait, init.signal ?? undefined)
      }
    }
  }

  /**
   * A GET of a signed URL for its bytes (downloads), errors mapped and busy answers retried as in
   * fetchOk: through node:http when configured (Node), else through fetch.
   */
  async get(url: string, init: GetInit = {}): Promise<BodyResponse> {
    if (!this.#config.nodeHttp) {
      const response = await this.fetchOk(url, {
        headers: init.headers ?? {},
        signal: init.signal ?? null,
      })
      const body = response.body ?? new Blob([]).stream()
      return {
        status: response.status,
        headers: response.headers,
        body: readChunks(body),
        each: async (onChunk) => {
          for await (const chunk of readChunks(body)) await onChunk(chunk)
        },
        cancel: () => body.cancel().catch(() => {}),
      }
    }
    for (let attempt = 0; ; attempt++) {
      try {
        return await nodeGet(url, init, this.#setting)
      } catch (err) {
        const wait = this.busyDelay(err, attempt)
        if (wait === undefined) throw err
        await sleep(wait, init.signal)
      }
    }
  }

  /**
   * A bounded Range GET of a ranged download: over a plain socket for http: URLs in Node (see
   * raw-range.ts), through get() for anything else or any answer but a 206.
   */
  async getRange(url: string, init: GetInit = {}): Promise<RangeResponse> {
    if (this.#config.nodeHttp && /^http:/i.test(url)) {
      const raw = await rawRangeGet(new URL(url), init.headers ?? {}, init.signal, this.#setting)
      if (raw) return raw
    }
    return this.get(url, init)
  }

  /** How long to wait before retrying `err` (a 429 or 503), or undefined to raise it. */
  busyDelay(err: unknown, attempt: number): number | undefined {
    const policy = { ...BUSY_RETRY_DEFAULT, ...this.#config.busyRetry }
    if (!(err instanceof ApiError) || (err.status !== 429 && err.status !== 503)) return undefined
    if (attempt >= policy.retries) return undefined
    const wait = err.retryAfterMs ?? 1000 * 2 ** attempt
    return wait <= policy.maxDelayMs ? wait : undefined
  }

  async #fetchOnce(url: URL | string, init: StreamingRequestInit): Promise<Response> {
    if (this.#config.nodeHttp && nodeSendable(init.body)) {
      // Errors come out mapped as below (NetworkError, the abort's reason, a source's error).
      const response = await nodeRequest(url, init, this.#setting)
      if (!response.ok) throw await apiErrorFrom(response, this.#setting)
      return response
    }
    let response: Response
    // A stream body cannot be replayed on a redirect anyway, and with redirects allowed undici
    // keeps every chunk sent for a possible replay: a 100 GB upload would sit in memory
    // (nodejs/undici#4058).
    const request = isStream(init.body) ? { redirect: 'error' as const, ...init } : init
    try {
      response = await this.#config.fetch(url, request)
    } catch (err) {
      if (init.signal?.aborted) throw err
      throw new NetworkError(String(url), err, this.#setting)
    }
    if (!response.ok) throw await apiErrorFrom(response, this.#setting)
    return response
  }
}

function isStream(body: unknown): boolean {
  return typeof ReadableStream !== 'undefined' && body instanceof ReadableStream
}
