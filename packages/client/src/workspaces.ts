import type { Workspace } from '@granary/protocol'
import type { WorkspaceSettings, WorkspaceUsage } from './lifecycle-wire.ts'
import type { Transport } from './transport.ts'

export interface CreateWorkspaceOptions {
  /** e.g. `ws_abc123`; generated when omitted. */
  id?: string
  name: string
  signal?: AbortSignal
}

export interface WorkspaceSettingsUpdate {
  /** Days a deleted file stays in the trash; 0 deletes at once (default 7). */
  trashDays?: number
  /** Versions kept per file, the current one included; 1 keeps no history (default 10). */
  keepVersions?: number
  /** Bytes the workspace may hold, versions and trash included; null removes the quota. */
  quotaBytes?: number | null
  /** Files it may hold, versions and trash items included; null removes the quota. */
  quotaFiles?: number | null
  signal?: AbortSignal
}

/** Workspaces (admin scope, except `get` and `usage` of a granted workspace): `client.workspaces`. */
export class Workspaces {
  readonly #transport: Transport

  constructor(transport: Transport) {
    this.#transport = transport
  }

  /**
   * Creates a workspace; `workspace_exists` if the id is taken.
   *
   * @example
   * const ws = await admin.workspaces.create({ id: 'ws_lab', name: 'Sequencing lab' })
   */
  create(options: CreateWorkspaceOptions): Promise<Workspace> {
    const { id, name, signal } = options
    return this.#transport.json('POST', '/v1/workspaces', { json: { id, name }, signal })
  }

  /**
   * Every workspace.
   *
   * @example
   * for (const ws of await admin.workspaces.list()) console.log(ws.id, ws.name)
   */
  async list(options: { signal?: AbortSignal } = {}): Promise<Workspace[]> {
    const answer = await this.#transport.json<{ workspaces: Workspace[] }>(
      'GET',
      '/v1/workspaces',
      options,
    )
    return answer.workspaces
  }

  /**
   * One workspace with its settings (`trash_days`, `keep_versions`).
   *
   * @example
   * const { trash_days } = await client.workspaces.get('ws_abc123')
   */
  get(id: string, options: { signal?: AbortSignal } = {}): Promise<WorkspaceSettings> {
    return this.#transport.json('GET', `/v1/workspaces/${encodeURIComponent(id)}`, options)
  }

  /**
   * Changes a workspace's settings (admin); answers the workspace.
   *
   * @example
   * await admin.workspaces.update('ws_abc123', { trashDays: 30, keepVersions: 5 })
   */
  update(id: string, options: WorkspaceSettingsUpdate): Promise<WorkspaceSettings> {
    const { trashDays, keepVersions, quotaBytes, quotaFiles, signal } = options
    const json = {
      trash_days: trashDays,
      keep_versions: keepVersions,
      quota_bytes: quotaBytes,
      quota_files: quotaFiles,
    }
    return this.#transport.json('PATCH', `/v1/workspaces/${encodeURIComponent(id)}`, {
      json,
      signal,
    })
  }

  /**
   * What a workspace holds: current files and bytes, and bytes kept by versions and the trash.
   *
   * @example
   * const { bytes, version_bytes, trash_bytes } = await client.workspaces.usage('ws_abc123')
   */
  usage(id: string, options: { signal?: AbortSignal } = {}): Promise<WorkspaceUsage> {
    return this.#transport.json('GET', `/v1/workspaces/${encodeURIComponent(id)}/usage`, options)
  }
}
