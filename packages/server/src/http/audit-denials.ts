/**
 * Refused attempts worth an audit event: a valid key calling a mutating route (or asking for a
 * link) whose scope it lacks. The auth hook refuses those before the body is read, so only the
 * query string can say which workspace and key were aimed at.
 */
import type { AuditAction } from '@granary/protocol'
import type { FastifyRequest } from 'fastify'
import { facts } from '../domain/audit.ts'
import type { AuditService } from '../domain/audit-service.ts'
import type { Principal } from '../domain/auth.ts'

/** The operations whose refusal is recorded, and the action each would have been. */
const ATTEMPTS: Readonly<Record<string, AuditAction>> = {
  'files.delete': 'file.delete',
  'files.upload': 'file.upload',
  'files.uploadUrl': 'upload.start',
  'files.uploadConfirm': 'file.upload',
  'files.download': 'link.issue',
  'files.revokeLinks': 'links.revoke',
  'uploads.abort': 'upload.abort',
  'keys.create': 'key.create',
  'keys.revoke': 'key.revoke',
  'workspaces.create': 'workspace.create',
}

export type DeniedRecorder = (request: FastifyRequest, principal: Principal) => Promise<void>

export function recordDeniedAttempts(audit: AuditService): DeniedRecorder {
  return async (request, principal) => {
    const operation = (request.routeOptions.schema as { operationId?: string } | undefined)
      ?.operationId
    const action = operation ? ATTEMPTS[operation] : undefined
    if (!action) return
    const query = (request.query ?? {}) as Record<string, unknown>
    await audit.recordDenied(
      principal,
      facts(action, { workspaceId: text(query.workspace_id, 64), key: text(query.key, 4096) }),
    )
  }
}

function text(value: unknown, max: number): string | null {
  return typeof value === 'string' && value.length <= max ? value : null
}
