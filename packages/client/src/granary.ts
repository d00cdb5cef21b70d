import type { MeResponse } from '@granary/protocol'
import {
  type AuditPage,
  type AuditQueryOptions,
  type RevokedLinks,
  readAudit,
  revokeLinks,
} from './audit.ts'
import { Files } from './files.ts'
import { Jobs } from './jobs.ts'
import { Keys } from './keys.ts'
import { inNode } from './node-get.ts'
import { Storage } from './storage.ts'
import { type BusyRetry, type FetchLike, Transport } from './transport.ts'
import { Trash } from './trash.ts'
import { streamsRequestBodies } from './upload-source.ts'
import { Webhooks } from './webhooks.ts'
import { Workspaces } from './workspaces.ts'

export interface GranaryOptions {
  /** Server URL; Node default `GRANARY_URL` or http://127.0.0.1:8080, browser default its origin. */
  baseUrl?: string
  /** Sent as `Authorization: Bearer …`; Node default `GRANARY_API_KEY`. */
  apiKey?: string
  /** Replaces global fetch (tests, proxies, retries). */
  fetch?: FetchLike
  /** Used when a call does not name its workspace; Node default `GRANARY_WORKSPACE`. */
  workspaceId?: string
  /**
   * Send uploads as request streams with byte progress. Default: true in Node; false in
   * browsers, where fetch streams need HTTP/2 (Chrome) or are missing, so a Blob is sent whole-
   * file by the browser itself (still from disk) and progress jumps to done at the end.
   */
  streamUploads?: boolean
  /** `uploadFile` uses a multipart session from this size; Node default `GRANARY_MULTIPART_THRESHOLD`, else 5 GiB. */
  multipartThreshold?: number
  /** Part size hint for multipart sessions; Node default `GRANARY_PART_SIZE`, else the server's. */
  partSize?: number
  /**
   * A `429 rate_limited` or `503` answer is retried after its `Retry-After`, up to `retries`
   * times (default 3) and only when the wait is at most `maxDelayMs` (default 60 s); then the
   * ApiError is raised. `{ retries: 0 }` raises at once. Streamed bodies are never re-sent.
   */
  busyRetry?: Partial<BusyRetry>
  /** What error messages call the URL's setting (default `baseUrl` or `GRANARY_URL`). */
  urlSetting?: string
}

const DEFAULT_URL = 'http://127.0.0.1:8080'

/**
 * The Granary client. Zero dependencies; runs in Node 20+ and browsers.
 *
 * @example
 * const client = new Granary({ baseUrl: 'http://127.0.0.1:8080', apiKey: 'gr_...' })
 * const file = await client.files.upload('sample.vcf', { workspaceId: 'ws_abc123', path: 'raw/' })
 * const local = await client.files.download(file.key, { workspaceId: 'ws_abc123', dest: './output/' })
 */
export class Granary {
  readonly files: Files
  /** Deleted files, until they are purged. */
  readonly trash: Trash
  /** Background jobs of very large folder operations. */
  readonly jobs: Jobs
  readonly workspaces: Workspaces
  readonly keys: Keys
  readonly storage: Storage
  readonly webhooks: Webhooks
  readonly #transport: Transport

  constructor(options: GranaryOptions = {}) {
    const env = processEnv()
    this.#transport = new Transport({
      baseUrl: options.baseUrl ?? env.GRANARY_URL ?? browserOrigin() ?? DEFAULT_URL,
      urlSetting: options.urlSetting ?? (options.baseUrl ? 'baseUrl' : 'GRANARY_URL'),
      apiKey: options.apiKey ?? env.GRANARY_API_KEY,
      // Looked up per call, so a fetch patched after construction is honoured.
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      streamUploads: options.streamUploads ?? streamsRequestBodies(),
      busyRetry: options.busyRetry,
      nodeHttp: options.fetch === undefined && inNode(),
    })
    const workspaceId = options.workspaceId ?? env.GRANARY_WORKSPACE
    this.files = new Files(this.#transport, {
      workspaceId,
      multipartThreshold:
        options.multipartThreshold ?? bytesFrom(env, 'GRANARY_MULTIPART_THRESHOLD'),
      partSize: options.partSize ?? bytesFrom(env, 'GRANARY_PART_SIZE'),
    })
    this.trash = new Trash(this.#transport, (call) => {
      const id = call.workspaceId ?? workspaceId
      if (id) return id
      throw new TypeError('workspaceId is required (pass it, or set it on the client).')
    })
    this.jobs = new Jobs(this.#transport)
    this.workspaces = new Workspaces(this.#transport)
    this.keys = new Keys(this.#transport)
    this.storage = new Storage(this.#transport)
    this.webhooks = new Webhooks(this.#transport)
  }

  /** The server URL this client talks to. */
  get baseUrl(): string {
    return this.#transport.baseUrl
  }

  /**
   * The calling key (name, scopes, expiry) and the workspaces it may use; any valid key.
   *
   * @example
   * const { key, workspaces } = await client.me()
   * console.log(key.name, workspaces.map((w) => w.id))
   */
  me(options: { signal?: AbortSignal } = {}): Promise<MeResponse> {
    return this.#transport.json('GET', '/v1/me', options)
  }

  /**
   * A page of the audit trail, newest first (scope `audit:read` or `admin`); pass `nextCursor`
   * as `cursor` for the next one.
   *
   * @example
   * const { events } = await admin.audit({ workspaceId: 'ws_lab', action: 'file.delete' })
   * for (const e of events) console.log(e.at, e.actor_key_name, e.key)
   */
  audit(options: AuditQueryOptions = {}): Promise<AuditPage> {
    return readAudit(this.#transport, options)
  }

  /**
   * Makes every download link issued so far for this file stop working (scope `files:delete`).
   * A direct presigned S3 URL cannot be revoked: it works until it expires.
   *
   * @example
   * await client.revokeLinks({ workspaceId: 'ws_lab', key: 'raw/leaked.bam' })
   */
  revokeLinks(options: {
    workspaceId: string
    key: string
    signal?: AbortSignal
  }): Promise<RevokedLinks> {
    return revokeLinks(this.#transport, options)
  }

  /**
   * Liveness of the server (no key needed).
   *
   * @example
   * const { status } = await client.health() // 'ok'
   */
  health(options: { signal?: AbortSignal } = {}): Promise<{ status: string; version: string }> {
    return this.#transport.json('GET', '/healthz', options)
  }
}

type Env = Record<string, string | undefined>

function processEnv(): Env {
  const proc = (globalThis as { process?: { env?: Env } }).process
  return proc?.env ?? {}
}

/** A byte count from the environment: a whole number, or missing. */
function bytesFrom(env: Env, name: string): number | undefined {
  const text = env[name]?.trim()
  if (!text) return undefined
  if (!/^\d+$/.test(text)) throw new TypeError(`${name} must be a number of bytes, got '${text}'.`)
  return Number(text)
}

function browserOrigin(): string | undefined {
  const location = (globalThis as { location?: { origin?: string } }).location
  return location?.origin && location.origin !== 'null' ? location.origin : undefined
}
