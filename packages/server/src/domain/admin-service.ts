import type { Scope } from '@granary/protocol'
import { type AuditContext, auditContext } from './audit.ts'
import { hashSecret, type Principal, requirePermission } from './auth.ts'
import { type Clock, isoNow } from './clock.ts'
import { AppError } from './errors.ts'
import { isKeyId, isWorkspaceId, newKeyId, newKeySecret, newWorkspaceId } from './ids.ts'
import type {
  KeyInfo,
  KeyRecord,
  MetadataStore,
  StorageAdmin,
  StorageInspection,
  WorkspaceRecord,
} from './ports.ts'

export interface NewKey {
  name: string
  scopes: Scope[]
  workspaceIds?: string[]
  /** ISO 8601; in the future. */
  expiresAt?: string
}

/** A new key and its secret, shown this once. */
export interface IssuedKey {
  key: KeyInfo
  secret: string
}

/** The calling key and the workspaces it may use. */
export interface Me {
  principal: Principal
  workspaces: WorkspaceRecord[]
}

/** Workspaces and API keys: the calls that need the `admin` scope. */
export class AdminService {
  readonly #metadata: MetadataStore
  readonly #storage: StorageAdmin
  readonly #clock: Clock

  constructor(metadata: MetadataStore, storage: StorageAdmin, clock: Clock) {
    this.#metadata = metadata
    this.#storage = storage
    this.#clock = clock
  }

  /** The calling key and the workspaces it may use; any valid key may ask (`granary whoami`). */
  async me(principal: Principal): Promise<Me> {
    const workspaces =
      principal.workspaceIds === null
        ? await this.#metadata.listWorkspaces()
        : await this.#grantedWorkspaces(principal.workspaceIds)
    return { principal, workspaces }
  }

  async #grantedWorkspaces(ids: readonly string[]): Promise<WorkspaceRecord[]> {
    const found = await Promise.all(ids.map((id) => this.#metadata.getWorkspace(id)))
    return found.filter((workspace) => workspace !== undefined)
  }

  async inspectStorage(principal: Principal): Promise<StorageInspection> {
    requirePermission(principal, 'admin')
    return this.#storage.inspect()
  }

  /** Lets these browser origins use presigned URLs ('*' for any), then answers the new state. */
  async setStorageCors(principal: Principal, origins: string[]): Promise<StorageInspection> {
    requirePermission(principal, 'admin')
    for (const origin of origins) {
      if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin)) {
        throw new AppError(
          'invalid_request',
          `'${origin}' is not an origin; use e.g. https://lab.example.org (no path) or '*'.`,
        )
      }
    }
    await this.#storage.setCorsOrigins(origins)
    return this.#storage.inspect()
  }

  async createWorkspace(
    principal: Principal,
    request: { id?: string; name: string },
  ): Promise<WorkspaceRecord> {
    requirePermission(principal, 'admin')
    return this.ensureWorkspace(
      { id: request.id ?? newWorkspaceId(), name: request.name },
      { mustBeNew: true, audit: auditContext(principal, this.#clock) },
    )
  }

  /** Creates the workspace unless it exists; used at start-up for `ws_default`. */
  async ensureWorkspace(
    request: { id: string; name: string },
    options: { mustBeNew: boolean; audit?: AuditContext } = { mustBeNew: false },
  ): Promise<WorkspaceRecord> {
    if (!isWorkspaceId(request.id)) {
      throw new AppError(
        'invalid_request',
        `Workspace id '${request.id}' must look like 'ws_abc123' (letters, digits, '_' or '-' after 'ws_').`,
      )
    }
    const existing = await this.#metadata.getWorkspace(request.id)
    if (existing && options.mustBeNew) {
      throw new AppError(
        'workspace_exists',
        `Workspace '${request.id}' already exists; pick another id.`,
      )
    }
    if (existing) return existing
    const workspace = { id: request.id, name: request.name, createdAt: isoNow(this.#clock) }
    try {
      const audit = options.audit ?? auditContext(null, this.#clock)
      await this.#metadata.createWorkspace(workspace, { audit })
    } catch (error) {
      // Another process starting at the same moment made it first.
      const made = !options.mustBeNew && (await this.#metadata.getWorkspace(request.id))
      if (made) return made
      throw error
    }
    return workspace
  }

  async listWorkspaces(principal: Principal): Promise<WorkspaceRecord[]> {
    requirePermission(principal, 'admin')
    return this.#metadata.listWorkspaces()
  }

  async createKey(principal: Principal, request: NewKey): Promise<IssuedKey> {
    requirePermission(principal, 'admin')
    await this.#checkNewKey(request)
    return this.issueKey(request, newKeySecret(), auditContext(principal, this.#clock))
  }

  /** Stores a key with the given secret; used at start-up for the bootstrap admin key. */
  async issueKey(
    request: NewKey,
    secret: string,
    audit = auditContext(null, this.#clock),
  ): Promise<IssuedKey> {
    const isAdmin = request.scopes.includes('admin')
    const record: KeyRecord = {
      id: newKeyId(),
      name: request.name,
      scopes: [...new Set(request.scopes)],
      workspaceIds: isAdmin ? null : [...new Set(request.workspaceIds ?? [])],
      createdAt: isoNow(this.#clock),
      expiresAt: request.expiresAt ? new Date(request.expiresAt).toISOString() : null,
      revokedAt: null,
      secretHash: hashSecret(secret),
    }
    await this.#metadata.createKey(record, { audit })
    return { key: publicKey(record), secret }
  }

  /** True when a usable key with this secret exists. */
  async hasKey(secret: string): Promise<boolean> {
    const key = await this.#metadata.findKeyBySecretHash(hashSecret(secret))
    return key !== undefined && key.revokedAt === null
  }

  async listKeys(principal: Principal): Promise<KeyInfo[]> {
    requirePermission(principal, 'admin')
    return (await this.#metadata.listKeys()).map(publicKey)
  }

  async revokeKey(principal: Principal, id: string): Promise<void> {
    requirePermission(principal, 'admin')
    if (!isKeyId(id)) throw new AppError('api_key_not_found', `No active API key '${id}'.`)
    const audit = auditContext(principal, this.#clock)
    await this.#metadata.revokeKey(id, isoNow(this.#clock), { audit })
  }

  async #checkNewKey(request: NewKey): Promise<void> {
    if (request.expiresAt !== undefined && !(Date.parse(request.expiresAt) > this.#clock.now())) {
      throw new AppError('invalid_request', "'expires_at' must be an ISO 8601 date in the future.")
    }
    if (request.scopes.includes('admin')) return
    const ids = request.workspaceIds ?? []
    if (ids.length === 0) {
      throw new AppError(
        'invalid_request',
        "A key without the 'admin' scope needs at least one entry in 'workspace_ids'.",
      )
    }
    for (const id of ids) {
      if (!isWorkspaceId(id) || !(await this.#metadata.getWorkspace(id))) {
        throw new AppError(
          'workspace_not_found',
          `No workspace '${id}'; create it first with POST /v1/workspaces.`,
        )
      }
    }
  }
}

function publicKey(record: KeyRecord): KeyInfo {
  const { secretHash: _secretHash, ...info } = record
  return info
}
