import type { Workspace } from '@granary/protocol'
import type { Transport } from './transport.ts'

export interface CreateWorkspaceOptions {
  /** e.g. `ws_abc123`; generated when omitted. */
  id?: string
  name: string
  signal?: AbortSignal
}

/** Workspaces (admin scope): `client.workspaces`. */
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
}
