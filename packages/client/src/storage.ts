import type { ScrubRequest, ScrubRun, StorageStatus } from '@granary/protocol'
import type { Transport } from './transport.ts'

/** The server's blob store, as an operator sees it (admin scope): `client.storage`. */
export class Storage {
  readonly #transport: Transport

  constructor(transport: Transport) {
    this.#transport = transport
  }

  /**
   * Reachability, credentials and CORS rules of the blob store; `problems` says what to fix.
   *
   * @example
   * const status = await admin.storage.check()
   * if (status.problems.length) console.error(status.problems.join('\n'))
   */
  check(options: { signal?: AbortSignal } = {}): Promise<StorageStatus> {
    return this.#transport.json('GET', '/v1/admin/storage', options)
  }

  /**
   * Lets these browser origins PUT and GET presigned URLs (S3 backends), then answers the new state.
   *
   * @example
   * await admin.storage.setCors(['https://lab.example.org'])
   */
  setCors(origins: string[], options: { signal?: AbortSignal } = {}): Promise<StorageStatus> {
    return this.#transport.json('PUT', '/v1/admin/storage/cors', { json: { origins }, ...options })
  }

  /**
   * Starts re-hashing stored files against their recorded SHA-256 in the background; answers the
   * run. Follow it with `scrubStatus()`.
   *
   * @example
   * await admin.storage.scrub({ sample_percent: 10, max_bytes_per_second: 50 * 1024 ** 2 })
   */
  scrub(request: ScrubRequest = {}, options: { signal?: AbortSignal } = {}): Promise<ScrubRun> {
    return this.#transport.json('POST', '/v1/admin/scrub', { json: request, ...options })
  }

  /** The server process's running or last scrub (null before the first). */
  async scrubStatus(options: { signal?: AbortSignal } = {}): Promise<ScrubRun | null> {
    const answer: { scrub: ScrubRun | null } = await this.#transport.json(
      'GET',
      '/v1/admin/scrub',
      options,
    )
    return answer.scrub
  }
}
