import type { GcReport, SignedPartUrl, UploadSession } from '@granary/protocol'
import type { Transport } from './transport.ts'

/** A signed URL for one part: PUT exactly `size` bytes with exactly `headers`. */
export type PartUrl = SignedPartUrl

/** What a garbage collection run reclaimed. */
export type GcResult = GcReport

interface CallOptions {
  workspaceId?: string
  signal?: AbortSignal
}

export interface SignPartsOptions extends CallOptions {
  /** Seconds each URL stays valid (server default 3600). */
  expiresIn?: number
}

/** At most this many part numbers per signing call (docs/api.md). */
export const SIGN_BATCH_MAX = 1000

/** Open upload sessions of a workspace: `client.files.uploads`. */
export class Uploads {
  readonly #transport: Transport
  readonly #workspace: (options: { workspaceId?: string | undefined }) => string

  constructor(
    transport: Transport,
    workspace: (options: { workspaceId?: string | undefined }) => string,
  ) {
    this.#transport = transport
    this.#workspace = workspace
  }

  /**
   * The workspace's open uploads, newest first (without their parts).
   *
   * @example
   * const open = await client.files.uploads.list({ workspaceId: 'ws_abc123' })
   */
  async list(options: CallOptions = {}): Promise<UploadSession[]> {
    const query = { workspace_id: this.#workspace(options) }
    const answer = await this.#transport.json<{ uploads: UploadSession[] }>(
      'GET',
      '/v1/files/uploads',
      { query, signal: options.signal },
    )
    return answer.uploads
  }

  /**
   * One session with the parts the store holds, to resume it.
   *
   * @example
   * const { parts } = await client.files.uploads.get('up_123', { workspaceId: 'ws_abc123' })
   */
  get(uploadId: string, options: CallOptions = {}): Promise<UploadSession> {
    const query = { workspace_id: this.#workspace(options) }
    return this.#transport.json('GET', `/v1/files/uploads/${encodeURIComponent(uploadId)}`, {
      query,
      signal: options.signal,
    })
  }

  /**
   * Aborts a session and drops its parts.
   *
   * @example
   * await client.files.uploads.abort('up_123', { workspaceId: 'ws_abc123' })
   */
  async abort(uploadId: string, options: CallOptions = {}): Promise<void> {
    const query = { workspace_id: this.#workspace(options) }
    await this.#transport.json('DELETE', `/v1/files/uploads/${encodeURIComponent(uploadId)}`, {
      query,
      signal: options.signal,
    })
  }

  /**
   * Signs PUT URLs for parts (at most 1000 numbers a call); they can be signed again any time.
   *
   * @example
   * const urls = await client.files.uploads.signParts('up_123', [1, 2, 3])
   */
  async signParts(
    uploadId: string,
    partNumbers: readonly number[],
    options: SignPartsOptions = {},
  ): Promise<PartUrl[]> {
    const json = {
      workspace_id: this.#workspace(options),
      part_numbers: partNumbers,
      expires_in: options.expiresIn,
    }
    const path = `/v1/files/uploads/${encodeURIComponent(uploadId)}/parts`
    const answer = await this.#transport.json<{ parts: PartUrl[] }>('POST', path, {
      json,
      signal: options.signal,
    })
    return answer.parts.map((part) => ({ ...part, url: this.#transport.url(part.url).toString() }))
  }

  /**
   * Runs the server's reaper now (admin): expired sessions aborted, their bytes deleted.
   *
   * @example
   * const { expired_uploads, reclaimed_bytes } = await admin.files.uploads.gc()
   */
  gc(options: { signal?: AbortSignal } = {}): Promise<GcResult> {
    return this.#transport.json('POST', '/v1/admin/gc', options)
  }
}
