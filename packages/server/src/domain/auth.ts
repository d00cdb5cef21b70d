import { createHash } from 'node:crypto'
import type { Scope } from '@granary/protocol'
import type { RequestOrigin } from './audit.ts'
import type { Clock } from './clock.ts'
import { AppError } from './errors.ts'
import { isWorkspaceId } from './ids.ts'
import type { KeyRecord, MetadataStore } from './ports.ts'

/** Who is calling: the API key a request authenticated with. */
export interface Principal {
  readonly keyId: string
  readonly keyName: string
  readonly createdAt: string
  readonly expiresAt: string | null
  readonly scopes: readonly Scope[]
  /** null: every workspace. */
  readonly workspaceIds: readonly string[] | null
  /** The request it came with (client address, request id), for the audit trail. */
  readonly origin?: RequestOrigin
}

/** The principal as seen in one request: what the audit trail records besides the key. */
export function withOrigin(principal: Principal, origin: RequestOrigin): Principal {
  return Object.freeze({ ...principal, origin: Object.freeze({ ...origin }) })
}

export type Permission = 'admin' | 'files:read' | 'files:write' | 'files:delete' | 'audit:read'

/** Keys are high-entropy random secrets, so a fast hash is enough to store them safely. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

export function hasPermission(principal: Principal, permission: Permission): boolean {
  if (principal.scopes.includes(permission as Scope)) return true
  // Admins read the whole audit trail.
  if (permission === 'audit:read') return principal.scopes.includes('admin')
  return permission.startsWith('files:') && principal.scopes.includes('files')
}

/** Resolves a bearer secret to a principal; unknown, revoked or expired -> unauthenticated. */
export async function authenticate(
  metadata: MetadataStore,
  secret: string | undefined,
  clock: Clock,
): Promise<Principal> {
  if (!secret) {
    throw new AppError('unauthenticated', "Send an API key as 'Authorization: Bearer <key>'.")
  }
  const key = await metadata.findKeyBySecretHash(hashSecret(secret))
  if (!key || !isUsable(key, clock.now())) {
    throw new AppError('unauthenticated', 'The API key is unknown, revoked or expired.')
  }
  return Object.freeze({
    keyId: key.id,
    keyName: key.name,
    createdAt: key.createdAt,
    expiresAt: key.expiresAt,
    scopes: key.scopes,
    workspaceIds: key.workspaceIds,
  })
}

function isUsable(key: KeyRecord, now: number): boolean {
  if (key.revokedAt) return false
  return key.expiresAt === null || Date.parse(key.expiresAt) > now
}

export function requirePermission(principal: Principal, permission: Permission): void {
  if (!hasPermission(principal, permission)) {
    throw new AppError('insufficient_scope', `This API key lacks the '${permission}' scope.`, {
      details: { required: permission },
    })
  }
}

/**
 * A workspace the key is not granted answers exactly like a missing one, so nobody learns
 * what exists elsewhere.
 */
export async function requireWorkspace(
  metadata: MetadataStore,
  principal: Principal,
  workspaceId: string,
): Promise<void> {
  const granted = principal.workspaceIds === null || principal.workspaceIds.includes(workspaceId)
  if (!granted || !isWorkspaceId(workspaceId) || !(await metadata.hasWorkspace(workspaceId))) {
    throw new AppError('workspace_not_found', `No workspace '${workspaceId}' for this API key.`)
  }
}
