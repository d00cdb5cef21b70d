/**
 * GET/PATCH /v1/workspaces/{id} and its usage: a workspace's settings (trash_days,
 * keep_versions) and counters. Reading needs a key granted the workspace; changing needs admin.
 */
import { auditContext } from './audit.ts'
import { type Principal, requirePermission, requireWorkspace } from './auth.ts'
import type { Clock } from './clock.ts'
import { AppError } from './errors.ts'
import type { WorkspaceSettings, WorkspaceUsage } from './lifecycle-ports.ts'
import type { MetadataStore, WorkspaceRecord } from './ports.ts'

export type WorkspaceDetail = WorkspaceRecord & WorkspaceSettings

export class WorkspaceSettingsService {
  readonly #metadata: MetadataStore
  readonly #clock: Clock

  constructor(metadata: MetadataStore, clock: Clock) {
    this.#metadata = metadata
    this.#clock = clock
  }

  async get(principal: Principal, workspaceId: string): Promise<WorkspaceDetail> {
    await requireWorkspace(this.#metadata, principal, workspaceId)
    return this.#detail(workspaceId)
  }

  async update(
    principal: Principal,
    workspaceId: string,
    changes: Partial<WorkspaceSettings>,
  ): Promise<WorkspaceDetail> {
    requirePermission(principal, 'admin')
    await requireWorkspace(this.#metadata, principal, workspaceId)
    await this.#metadata.updateWorkspaceSettings(workspaceId, changes, {
      audit: auditContext(principal, this.#clock),
    })
    return this.#detail(workspaceId)
  }

  async usage(principal: Principal, workspaceId: string): Promise<WorkspaceUsage> {
    await requireWorkspace(this.#metadata, principal, workspaceId)
    const usage = await this.#metadata.getWorkspaceUsage(workspaceId)
    if (!usage) throw missing(workspaceId)
    return usage
  }

  async #detail(workspaceId: string): Promise<WorkspaceDetail> {
    const [workspace, settings] = await Promise.all([
      this.#metadata.getWorkspace(workspaceId),
      this.#metadata.getWorkspaceSettings(workspaceId),
    ])
    if (!workspace || !settings) throw missing(workspaceId)
    return { ...workspace, ...settings }
  }
}

function missing(workspaceId: string): AppError {
  return new AppError('workspace_not_found', `No workspace '${workspaceId}' for this API key.`)
}
