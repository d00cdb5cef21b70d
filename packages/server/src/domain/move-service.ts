/**
 * Move and copy, of one file or a whole folder. Metadata only: a move changes the key and keeps
 * the file's id (and so its history), a copy shares the blob (no byte is read or written).
 * Folders of up to `jobThreshold` files change in one transaction; bigger ones run as a job.
 */
import { type AuditContext, auditContext } from './audit.ts'
import { type Permission, type Principal, requirePermission, requireWorkspace } from './auth.ts'
import type { BlobDeletions } from './blob-deletions.ts'
import type { Clock } from './clock.ts'
import { AppError } from './errors.ts'
import { newFileId, randomId } from './ids.ts'
import type { JobRunner } from './jobs.ts'
import { planMove } from './move-plan.ts'
import type { JobKind, JobRecord } from './move-ports.ts'
import type { FileRecord, MetadataStore } from './ports.ts'

export interface MoveServiceDeps {
  metadata: MetadataStore
  deletions: BlobDeletions
  jobs: JobRunner
  clock: Clock
  /** Folders with more files than this run as a job. */
  jobThreshold: number
}

export interface MoveCall {
  workspaceId: string
  from: string
  to: string
  overwrite: boolean
}

/** One file moved or copied, a folder done at once (`count` files), or a job started. */
export type MoveOutcome =
  | { readonly kind: 'file'; readonly file: FileRecord }
  | { readonly kind: 'folder'; readonly count: number }
  | { readonly kind: 'job'; readonly job: JobRecord }

const NEEDS: Record<JobKind, readonly Permission[]> = {
  move: ['files:write', 'files:delete'],
  copy: ['files:read', 'files:write'],
}

export class MoveService {
  readonly #deps: MoveServiceDeps

  constructor(deps: MoveServiceDeps) {
    this.#deps = deps
  }

  move(principal: Principal, call: MoveCall): Promise<MoveOutcome> {
    return this.#apply(principal, 'move', call)
  }

  copy(principal: Principal, call: MoveCall): Promise<MoveOutcome> {
    return this.#apply(principal, 'copy', call)
  }

  /** A job of a workspace the key may read; anything else -> job_not_found. */
  async job(principal: Principal, id: string): Promise<JobRecord> {
    requirePermission(principal, 'files:read')
    const job = /^job_[a-z0-9]{1,40}$/.test(id) ? await this.#deps.metadata.getJob(id) : undefined
    const granted =
      job && (principal.workspaceIds === null || principal.workspaceIds.includes(job.workspaceId))
    if (!job || !granted) throw new AppError('job_not_found', `No job '${id}' for this API key.`)
    return job
  }

  async #apply(principal: Principal, kind: JobKind, call: MoveCall): Promise<MoveOutcome> {
    for (const permission of NEEDS[kind]) requirePermission(principal, permission)
    await requireWorkspace(this.#deps.metadata, principal, call.workspaceId)
    const plan = planMove(call.from, call.to)
    const audit = auditContext(principal, this.#deps.clock)
    const request = { ...call, from: plan.from, to: plan.to, now: audit.at, audit }
    if (plan.kind === 'file') {
      const result =
        kind === 'move'
          ? await this.#deps.metadata.moveFile(request)
          : await this.#deps.metadata.copyFile({ ...request, id: newFileId() })
      await this.#free(result.freedBlobNames)
      return { kind: 'file', file: result.file }
    }
    const threshold = this.#deps.jobThreshold
    const count = await this.#deps.metadata.countUnder(call.workspaceId, plan.from, threshold)
    if (count > threshold) return { kind: 'job', job: await this.#startJob(kind, request) }
    const result =
      kind === 'move'
        ? await this.#deps.metadata.moveFolder(request)
        : await this.#deps.metadata.copyFolder(request)
    await this.#free(result.freedBlobNames)
    return { kind: 'folder', count: result.count }
  }

  async #startJob(
    kind: JobKind,
    request: MoveCall & { now: string; audit: AuditContext },
  ): Promise<JobRecord> {
    const { metadata } = this.#deps
    const total = await metadata.countUnder(request.workspaceId, request.from, MAX_COUNT)
    const job: JobRecord = {
      id: `job_${randomId()}`,
      workspaceId: request.workspaceId,
      kind,
      from: request.from,
      to: request.to,
      overwrite: request.overwrite,
      status: 'running',
      total,
      done: 0,
      cursor: null,
      error: null,
      audit: request.audit,
      createdAt: request.now,
      updatedAt: request.now,
    }
    await metadata.createJob(job)
    this.#deps.jobs.start(job.id)
    return job
  }

  /** Bytes of overwritten files that no other file shares: queued in the commit, deleted now. */
  async #free(blobNames: readonly string[]): Promise<void> {
    for (const blobName of blobNames) await this.#deps.deletions.deleteNow(blobName)
  }
}

const MAX_COUNT = Number.MAX_SAFE_INTEGER - 1
