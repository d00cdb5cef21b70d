import type { ApiKeyInfo, CreatedApiKey, Scope } from '@granary/protocol'
import type { Transport } from './transport.ts'

export interface CreateKeyOptions {
  name: string
  scopes: Scope[]
  /** Workspaces the key may use; required (non-empty) unless `scopes` has `admin`. */
  workspaceIds?: string[]
  /** ISO 8601 date-time or a Date. */
  expiresAt?: string | Date
  signal?: AbortSignal
}

/** API keys (admin scope): `client.keys`. */
export class Keys {
  readonly #transport: Transport

  constructor(transport: Transport) {
    this.#transport = transport
  }

  /**
   * Creates a key; its `secret` is in this answer only.
   *
   * @example
   * const key = await admin.keys.create({ name: 'pipeline', scopes: ['files'], workspaceIds: ['ws_lab'] })
   * console.log(key.secret)
   */
  create(options: CreateKeyOptions): Promise<CreatedApiKey> {
    const { name, scopes, workspaceIds, expiresAt, signal } = options
    const json = {
      name,
      scopes,
      workspace_ids: workspaceIds,
      expires_at: expiresAt instanceof Date ? expiresAt.toISOString() : expiresAt,
    }
    return this.#transport.json('POST', '/v1/keys', { json, signal })
  }

  /**
   * Every key, without secrets.
   *
   * @example
   * const active = (await admin.keys.list()).filter((k) => !k.revoked_at)
   */
  async list(options: { signal?: AbortSignal } = {}): Promise<ApiKeyInfo[]> {
    const answer = await this.#transport.json<{ keys: ApiKeyInfo[] }>('GET', '/v1/keys', options)
    return answer.keys
  }

  /**
   * Revokes a key; effective on its next request. `api_key_not_found` if there is none.
   *
   * @example
   * await admin.keys.revoke('key_123')
   */
  async revoke(id: string, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.#transport.json('DELETE', `/v1/keys/${encodeURIComponent(id)}`, options)
  }
}
