import type { FileInfo } from '@granary/protocol'
import type { TrashItem, TrashPage } from './lifecycle-wire.ts'
import type { Transport } from './transport.ts'

type Workspace = (options: { workspaceId?: string | undefined }) => string

interface CallOptions {
  /** Defaults to the client's `workspaceId`. */
  workspaceId?: string
  signal?: AbortSignal
}

export interface TrashListOptions extends CallOptions {
  /** Only keys starting with this, e.g. `raw/`. */
  prefix?: string
  /** Page size (server default 100). */
  limit?: number
  /** `next_cursor` of the previous page. */
  cursor?: string
}

export interface TrashRestoreOptions extends CallOptions {
  /** Restore under this key instead of the one it was deleted from. */
  to?: string
  /** Replace a file that now exists at the key (its content is kept as a version). */
  overwrite?: boolean
}

/** The workspace's trash: `client.trash`. Deleted files stay here until `purge_at`. */
export class Trash {
  readonly #transport: Transport
  readonly #workspace: Workspace

  constructor(transport: Transport, workspace: Workspace) {
    this.#transport = transport
    this.#workspace = workspace
  }

  /**
   * One page of deleted files, each with its `trash_id` and `purge_at`.
   *
   * @example
   * const { files } = await client.trash.list({ workspaceId: 'ws_abc123', prefix: 'raw/' })
   * for (const item of files) console.log(item.trash_id, item.key, item.purge_at)
   */
  list(options: TrashListOptions = {}): Promise<TrashPage> {
    const { prefix, limit, cursor, signal } = options
    const query = { workspace_id: this.#workspace(options), prefix, limit, cursor }
    return this.#transport.json('GET', '/v1/trash', { query, signal })
  }

  /**
   * Every item in the trash (under a prefix), fetching pages as the loop advances.
   *
   * @example
   * for await (const item of client.trash.listAll({ workspaceId: 'ws_abc123' })) console.log(item.key)
   */
  async *listAll(options: Omit<TrashListOptions, 'cursor'> = {}): AsyncGenerator<TrashItem> {
    let cursor: string | undefined
    do {
      const page = await this.list({ ...options, cursor })
      yield* page.files
      cursor = page.next_cursor ?? undefined
    } while (cursor)
  }

  /**
   * Puts an item back at its key, with its id and versions; `409 file_exists` if a file is there
   * now, unless `to` names another key or `overwrite` is set (that file goes to the trash).
   *
   * @example
   * const file = await client.trash.restore('tr_123', { workspaceId: 'ws_abc123' })
   */
  restore(trashId: string, options: TrashRestoreOptions = {}): Promise<FileInfo> {
    const { to, overwrite, signal } = options
    const json = { workspace_id: this.#workspace(options), trash_id: trashId, to, overwrite }
    return this.#transport.json('POST', '/v1/trash/restore', { json, signal })
  }

  /**
   * Restores every file deleted together with an item (by one `files.delete(prefix, { recursive:
   * true })`): `group_id` from `list`. Same rules as `restore`, without `to`.
   *
   * @example
   * const { files } = await client.trash.restoreGroup(item.group_id, { workspaceId: 'ws_abc123' })
   */
  restoreGroup(
    groupId: string,
    options: CallOptions & { overwrite?: boolean } = {},
  ): Promise<{ files: FileInfo[] }> {
    const { overwrite, signal } = options
    const json = { workspace_id: this.#workspace(options), group_id: groupId, overwrite }
    return this.#transport.json('POST', '/v1/trash/restore-group', { json, signal })
  }

  /**
   * Deletes one item for good (its bytes are freed once nothing refers to them).
   *
   * @example
   * await client.trash.purge('tr_123', { workspaceId: 'ws_abc123' })
   */
  purge(trashId: string, options: CallOptions = {}): Promise<{ purged: number }> {
    const query = { workspace_id: this.#workspace(options), trash_id: trashId }
    return this.#transport.json('DELETE', '/v1/trash', { query, signal: options.signal })
  }

  /**
   * Empties the workspace's trash (admin scope).
   *
   * @example
   * await admin.trash.purgeAll({ workspaceId: 'ws_abc123' })
   */
  purgeAll(options: CallOptions = {}): Promise<{ purged: number }> {
    const query = { workspace_id: this.#workspace(options), all: true }
    return this.#transport.json('DELETE', '/v1/trash', { query, signal: options.signal })
  }
}
