/**
 * A fetch over XMLHttpRequest, for uploads: browsers report upload progress to XHR only (fetch
 * has no upload progress). Requests without a body go to the real fetch.
 */
import type { FetchLike } from '@granary/client'

/** Bytes sent so far by one request; negative to take back what a failed request had sent. */
export type OnSent = (delta: number) => void

// The browser sets these itself and refuses them from scripts.
const FORBIDDEN = new Set(['content-length', 'host', 'connection', 'accept-encoding'])
const NULL_BODY = new Set([101, 204, 205, 304])

export interface ProgressEvents {
  onSent: OnSent
  /** A request got no HTTP answer at all (network down, or blocked by CORS). */
  onUnanswered: (url: string) => void
  /** A request got an HTTP answer, whatever its status. */
  onAnswered: (url: string) => void
}

/** A FetchLike that sends Blob and FormData bodies with XHR, reporting bytes as they leave. */
export function progressFetch(events: ProgressEvents): FetchLike {
  return async (input, init = {}) => {
    const body = init.body
    if (!(body instanceof Blob || body instanceof FormData)) return fetch(input, init)
    const url = String(input instanceof Request ? input.url : input)
    try {
      const response = await xhrRequest(url, init, events.onSent)
      events.onAnswered(url)
      return response
    } catch (err) {
      if (!init.signal?.aborted) events.onUnanswered(url)
      throw err
    }
  }
}

function xhrRequest(url: string, init: RequestInit, onSent: OnSent): Promise<Response> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    let sent = 0
    const takeBack = () => {
      onSent(-sent)
      sent = 0
    }
    xhr.open(init.method ?? 'GET', url)
    xhr.responseType = 'blob'
    for (const [name, value] of new Headers(init.headers)) {
      if (!FORBIDDEN.has(name)) xhr.setRequestHeader(name, value)
    }
    xhr.upload.onprogress = (event) => {
      onSent(event.loaded - sent)
      sent = event.loaded
    }
    xhr.onload = () => {
      if (xhr.status >= 400) takeBack()
      resolve(toResponse(xhr))
    }
    xhr.onerror = () => {
      takeBack()
      reject(new TypeError('Failed to fetch'))
    }
    xhr.onabort = () => {
      takeBack()
      reject(init.signal?.reason ?? new DOMException('The upload was cancelled.', 'AbortError'))
    }
    if (init.signal?.aborted) return xhr.onabort(new ProgressEvent('abort'))
    init.signal?.addEventListener('abort', () => xhr.abort(), { once: true })
    xhr.send(init.body as XMLHttpRequestBodyInit)
  })
}

function toResponse(xhr: XMLHttpRequest): Response {
  const headers = new Headers()
  for (const line of xhr
    .getAllResponseHeaders()
    .trim()
    .split(/[\r\n]+/)) {
    const at = line.indexOf(':')
    if (at > 0) headers.append(line.slice(0, at).trim(), line.slice(at + 1).trim())
  }
  const body = NULL_BODY.has(xhr.status) ? null : (xhr.response as Blob)
  return new Response(body, { status: xhr.status, statusText: xhr.statusText, headers })
}
