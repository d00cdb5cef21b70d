/**
 * Older versions of a file: list, restore (the old content becomes current as a new version,
 * history is never rewritten) and delete one for good. Downloads of a version are signed by
 * FileService.downloadUrl (`versionId`).
 */
import { auditContext } from './audit.ts'
import { type Principal, requirePermission, requireWorkspace } from './auth.ts'
import { type Clock, isoNow } from './clock.ts'
import type { FileRemoval } from './file-removal.ts'
import { fileNotFound, versionNotFound } from './file-service.ts'
import { validateKey } from './keys.ts'
import type { VersionRecord } from './lifecycle-ports.ts'
import type { FileRecord, MetadataStore } from './ports.ts'

export interface VersionServiceDeps {
  metadata: MetadataStore
  removal: FileRemoval
  clock: Clock
}

export interface VersionLocator {
  workspaceId: string
  key: string
  versionId: string
}

export class VersionService {
  readonly #deps: VersionServiceDeps

  constructor(deps: VersionServiceDeps) {
    this.#deps = deps
  }

  async list(principal: Principal, workspaceId: string, key: string): Promise<VersionRecord[]> {
    await this.#authorize(principal, 'files:read', workspaceId)
    const versions = await this.#deps.metadata.listVersions(workspaceId, validateKey(key))
    if (!versions) throw fileNotFound(workspaceId, key)
    return versions
  }

  async restore(principal: Principal, at: VersionLocator): Promise<FileRecord> {
    await this.#authorize(principal, 'files:write', at.workspaceId)
    const key = validateKey(at.key)
    const result = await this.#deps.metadata.restoreVersion(at.workspaceId, key, {
      versionId: at.versionId,
      at: isoNow(this.#deps.clock),
      audit: auditContext(principal, this.#deps.clock),
    })
    if (!result) throw await this.#missing(at)
    await this.#deps.removal.freeNow(result.freedBlobNames)
    return result.file
  }

  async delete(principal: Principal, at: VersionLocator): Promise<void> {
    await this.#authorize(principal, 'files:delete', at.workspaceId)
    const key = validateKey(at.key)
    const audit = auditContext(principal, this.#deps.clock)
    const result = await this.#deps.metadata.deleteVersion(at.workspaceId, key, at.versionId, {
      audit,
    })
    if (!result) throw await this.#missing(at)
    await this.#deps.removal.freeNow(result.freedBlobNames)
  }

  /** file_not_found when the key is gone, else version_not_found. */
  async #missing(at: VersionLocator) {
    const file = await this.#deps.metadata.getFile(at.workspaceId, at.key)
    return file ? versionNotFound(at.key, at.versionId) : fileNotFound(at.workspaceId, at.key)
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
