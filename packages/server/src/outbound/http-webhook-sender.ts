/**
 * Sends webhook attempts over HTTP(S): one POST, redirects never followed (a 3xx is a failed
 * attempt), 10 s for the whole exchange, and every address the name resolves to checked by the
 * SSRF guard at connection time (the check and the connection use the same lookup, so a name
 * cannot resolve to a public address for the check and a private one for the connection).
 */
import { type LookupAddress, type LookupAllOptions, lookup } from 'node:dns'
import { request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { LookupFunction } from 'node:net'
import { isIP } from 'node:net'
import { GRANARY_VERSION } from '@granary/protocol'
import { AppError } from '../domain/errors.ts'
import type { SendOutcome, WebhookSender } from '../domain/webhooks/webhook-ports.ts'
import { isRefusedAddress } from './address-guard.ts'

export interface HttpWebhookSenderOptions {
  /** Allow loopback, private and link-local targets (GRANARY_WEBHOOK_ALLOW_PRIVATE). */
  allowPrivate: boolean
  /** For the whole attempt: connection, request and answer (default 10 s). */
  timeoutMs?: number
}

const REFUSED = 'resolves to a loopback, private, link-local or metadata address'

export class HttpWebhookSender implements WebhookSender {
  readonly #allowPrivate: boolean
  readonly #timeoutMs: number

  constructor(options: HttpWebhookSenderOptions) {
    this.#allowPrivate = options.allowPrivate
    this.#timeoutMs = options.timeoutMs ?? 10_000
  }

  async checkTarget(raw: string): Promise<void> {
    const url = parseTarget(raw)
    if (this.#allowPrivate) return
    const host = hostOf(url)
    const addresses = isIP(host)
      ? [host]
      : await resolveAll(host).catch((error: unknown) => {
          throw refused(raw, `its host '${host}' does not resolve`, error)
        })
    if (addresses.some(isRefusedAddress)) throw refused(raw, REFUSED)
  }

  async send(request: {
    url: string
    headers: Readonly<Record<string, string>>
    body: string
    signal?: AbortSignal
  }): Promise<SendOutcome> {
    let url: URL
    try {
      url = parseTarget(request.url)
    } catch (error) {
      return { ok: false, status: null, error: (error as Error).message }
    }
    const host = hostOf(url)
    if (!this.#allowPrivate && isIP(host) && isRefusedAddress(host)) {
      return { ok: false, status: null, error: `refused: the URL ${REFUSED}` }
    }
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout
    try {
      const status = await this.#post(url, request, signal)
      if (status >= 200 && status < 300) return { ok: true, status }
      const why = status >= 300 && status < 400 ? 'a redirect, not followed' : 'not a 2xx'
      return { ok: false, status, error: `the receiver answered ${status} (${why})` }
    } catch (error) {
      const message = timeout.aborted
        ? `no answer within ${this.#timeoutMs / 1000} s`
        : (error as Error).message
      return { ok: false, status: null, error: message }
    }
  }

  /** POSTs the body; answers the status once the answer's body is read (and dropped). */
  #post(
    url: URL,
    request: { headers: Readonly<Record<string, string>>; body: string },
    signal: AbortSignal,
  ): Promise<number> {
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest
    return new Promise((resolve, reject) => {
      const outgoing = send(
        url,
        {
          method: 'POST',
          agent: false,
          signal,
          ...(this.#allowPrivate ? {} : { lookup: guardedLookup }),
          headers: {
            ...request.headers,
            'content-length': String(Buffer.byteLength(request.body)),
            'user-agent': `Granary-Webhooks/${GRANARY_VERSION}`,
          },
        },
        (answer: IncomingMessage) => {
          answer.on('error', reject)
          answer.on('end', () => resolve(answer.statusCode ?? 0))
          answer.resume()
        },
      )
      outgoing.on('error', reject)
      outgoing.end(request.body)
    })
  }
}

/** An absolute http(s) URL without credentials, or webhook_url_refused. */
function parseTarget(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw refused(raw, 'it is not an absolute URL')
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw refused(raw, 'only http and https URLs are delivered to')
  }
  if (url.username || url.password) throw refused(raw, 'it carries credentials')
  return url
}

/** The URL's host without IPv6 brackets. */
function hostOf(url: URL): string {
  return url.hostname.replace(/^\[(.*)\]$/, '$1')
}

function resolveAll(host: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    lookup(host, { all: true }, (error, addresses) => {
      if (error) reject(error)
      else resolve(addresses.map((a) => a.address))
    })
  })
}

/** dns.lookup that fails when any address of the name is refused. */
const guardedLookup: LookupFunction = (hostname, options, callback) => {
  const all: LookupAllOptions = { ...options, all: true }
  lookup(hostname, all, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0)
    if (addresses.length === 0 || addresses.some((a) => isRefusedAddress(a.address))) {
      return callback(new Error(`refused: '${hostname}' ${REFUSED}`), '', 0)
    }
    if (options.all) return (callback as unknown as AllCallback)(null, addresses)
    const first = addresses[0] as LookupAddress
    callback(null, first.address, first.family)
  })
}

type AllCallback = (error: Error | null, addresses: LookupAddress[]) => void

function refused(url: string, why: string, cause?: unknown): AppError {
  const shown = url.length > 200 ? `${url.slice(0, 200)}...` : url
  return new AppError(
    'webhook_url_refused',
    `The webhook URL '${shown}' is refused: ${why}. Use a public http(s) URL (or set GRANARY_WEBHOOK_ALLOW_PRIVATE=true for private targets).`,
    cause === undefined ? {} : { cause },
  )
}
