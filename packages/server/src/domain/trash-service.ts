/**
 * The trash: list, restore (one item, or a whole group deleted by one call), purge one item,
 * empty a workspace's trash (admin), and purge what is past purge_at (the reaper).
 */
import { crashPoint } from '../crash-points.ts'
import { type AuditContext, auditContext } from './audit.ts'
import { type Principal, requirePermission, requireWorkspace } from './auth.ts'
import { type Clock, isoNow } from './clock.ts'
import { AppError } from './errors.ts'
import { type FileRemoval, newTrashGroupId } from './file-removal.ts'
import { validateKey, validateNewKey, validatePrefix } from './keys.ts'
import type { TrashRecord } from './lifecycle-ports.ts'
import type { FileRecord, MetadataStore } from './ports.ts'

export interface TrashServiceDeps {
  metadata: MetadataStore
  removal: FileRemoval
  clock: Clock
}

export interface TrashPage {
  items: TrashRecord[]
  nextCursor: string | null
}

export interface TrashRestore {
  workspaceId: string
  trashId: string
  to?: string
  overwrite: boolean
}

export class TrashService {
  readonly #deps: TrashServiceDeps

  constructor(deps: TrashServiceDeps) {
    this.#deps = deps
  }

  async list(
    principal: Principal,
    query: { workspaceId: string; prefix?: string; limit: number; cursor?: string },
  ): Promise<TrashPage> {
    await this.#authorize(principal, 'files:read', query.workspaceId)
    const after = query.cursor === undefined ? undefined : decodeTrashCursor(query.cursor)
    const items = await this.#deps.metadata.listTrash({
      workspaceId: query.workspaceId,
      prefix: validatePrefix(query.prefix ?? ''),
      ...(after ? { after } : {}),
      limit: query.limit + 1,
    })
    const page = items.slice(0, query.limit)
    const last = page.at(-1)
    const more = items.length > query.limit && last !== undefined
    return { items: page, nextCursor: more ? encodeTrashCursor(last) : null }
  }

  async restore(principal: Principal, request: TrashRestore): Promise<FileRecord> {
    await this.#authorize(principal, 'files:write', request.workspaceId)
    if (request.overwrite) requirePermission(principal, 'files:delete')
    return this.#deps.metadata.restoreTrashItem({
      workspaceId: request.workspaceId,
      trashId: request.trashId,
      ...(request.to === undefined ? {} : { to: validateNewKey(request.to) }),
      overwrite: request.overwrite,
      displaced: await this.#displaced(request.workspaceId),
      audit: auditContext(principal, this.#deps.clock),
    })
  }

  async restoreGroup(
    principal: Principal,
    request: { workspaceId: string; groupId: string; overwrite: boolean },
  ): Promise<FileRecord[]> {
    await this.#authorize(principal, 'files:write', request.workspaceId)
    if (request.overwrite) requirePermission(principal, 'files:delete')
    return this.#deps.metadata.restoreTrashGroup({
      ...request,
      displaced: await this.#displaced(request.workspaceId),
      audit: auditContext(principal, this.#deps.clock),
    })
  }

  /** One item for good, then its bytes (those nothing else refers to). */
  async purge(principal: Principal, workspaceId: string, trashId: string): Promise<number> {
    await this.#authorize(principal, 'files:delete', workspaceId)
    const audit = auditContext(principal, this.#deps.clock)
    if (!(await this.#purgeOne(workspaceId, trashId, audit))) {
      throw new AppError(
        'trash_item_not_found',
        `Nothing '${trashId}' in the trash of workspace '${workspaceId}'; list the trash to see what is there.`,
      )
    }
    return 1
  }

  /** Empties the workspace's trash (scope admin); answers how many items went. */
  async empty(principal: Principal, workspaceId: string): Promise<number> {
    requirePermission(principal, 'admin')
    await requireWorkspace(this.#deps.metadata, principal, workspaceId)
    let purged = 0
    for (;;) {
      const batch = await this.#deps.metadata.listTrash({ workspaceId, prefix: '', limit: 100 })
      const audit = auditContext(principal, this.#deps.clock)
      for (const item of batch) if (await this.#purgeOne(workspaceId, item.trashId, audit)) purged++
      if (batch.length < 100) return purged
    }
  }

  /** The reaper: purges every item whose purge_at passed. Safe in several processes at once. */
  async purgeExpired(): Promise<{ purgedItems: number }> {
    let purgedItems = 0
    const now = isoNow(this.#deps.clock)
    for (let pass = 0; pass < 100; pass++) {
      const due = await this.#deps.metadata.listExpiredTrash(now, 100)
      // The server itself acts: no key.
      const audit = auditContext(null, this.#deps.clock)
      for (const item of due) {
        if (await this.#purgeOne(item.workspaceId, item.trashId, audit)) purgedItems++
      }
      if (due.length < 100) break
    }
    return { purgedItems }
  }

  async #purgeOne(workspaceId: string, trashId: string, audit: AuditContext): Promise<boolean> {
    const result = await this.#deps.metadata.purgeTrashItem(workspaceId, trashId, { audit })
    if (!result) return false
    crashPoint('trash.purged')
    await this.#deps.removal.freeNow(result.freedBlobNames)
    return true
  }

  /** Where `overwrite` sends the file it displaces: the trash, as a delete would. */
  async #displaced(workspaceId: string) {
    const settings = await this.#deps.metadata.getWorkspaceSettings(workspaceId)
    return {
      groupId: newTrashGroupId(),
      ...this.#deps.removal.trashDates(Math.max(settings?.trashDays ?? 7, 1)),
    }
  }

  async #authorize(
    principal: Principal,
    permission: 'files:read' | 'files:write' | 'files:delete',
    workspaceId: string,
  ) {
    requirePermission(principal, permission)
    await requireWorkspace(this.#deps.metadata, principal, workspaceId)
  }
}

function encodeTrashCursor(item: TrashRecord): string {
  return Buffer.from(JSON.stringify({ k: item.file.key, t: item.trashId })).toString('base64url')
}

function decodeTrashCursor(cursor: string): { key: string; trashId: string } {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (value && typeof value === 'object' && 'k' in value && 't' in value) {
      if (typeof value.k === 'string' && typeof value.t === 'string') {
        return { key: validateKey(value.k), trashId: value.t }
      }
    }
  } catch {}
  throw new AppError(
    'invalid_request',
    "The 'cursor' is not valid: pass next_cursor from a previous page unchanged.",
  )
}
