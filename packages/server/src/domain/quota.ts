/**
 * Workspace quotas: `quota_bytes` and `quota_files` (null: no limit) against what the workspace
 * holds, current files, old versions and the trash alike, since all of them keep bytes on disk.
 */
import { AppError } from './errors.ts'
import type { WorkspaceSettingsStore, WorkspaceUsage } from './lifecycle-ports.ts'

export interface WorkspaceQuota {
  quotaBytes: number | null
  quotaFiles: number | null
}

/** What a workspace holds, as quotas count it. */
export interface QuotaUsage {
  files: number
  bytes: number
}

/** Throws quota_exceeded when adding `requested` to `used` would pass a quota. */
export function checkQuota(quota: WorkspaceQuota, used: QuotaUsage, requested: QuotaUsage): void {
  if (quota.quotaBytes !== null && used.bytes + requested.bytes > quota.quotaBytes) {
    throw exceeded('bytes', quota.quotaBytes, used.bytes, requested.bytes)
  }
  if (quota.quotaFiles !== null && used.files + requested.files > quota.quotaFiles) {
    throw exceeded('files', quota.quotaFiles, used.files, requested.files)
  }
}

function exceeded(
  resource: 'bytes' | 'files',
  limit: number,
  used: number,
  requested: number,
): AppError {
  const what = resource === 'bytes' ? `${requested} more bytes` : `${requested} more file(s)`
  return new AppError(
    'quota_exceeded',
    `The workspace would pass its quota of ${limit} ${resource} (it holds ${used}; this needs ${what}). ` +
      'Delete files or empty the trash (old versions and the trash count too), or ask an admin to raise quota_' +
      `${resource} with PATCH /v1/workspaces/{id}.`,
    { details: { resource, limit, used, requested } },
  )
}

/**
 * The early check of a call that will add `requested` (an upload's declared size), before any
 * byte is read; the commit checks again with the actual size, in its transaction.
 */
export async function assertRoomFor(
  store: WorkspaceSettingsStore,
  workspaceId: string,
  requested: QuotaUsage,
): Promise<void> {
  const settings = await store.getWorkspaceSettings(workspaceId)
  if (!settings || (settings.quotaBytes === null && settings.quotaFiles === null)) return
  const usage = await store.getWorkspaceUsage(workspaceId)
  if (!usage) return
  checkQuota(settings, quotaUsage(usage), requested)
}

/** What quotas count: current files, older versions and the trash. */
export function quotaUsage(usage: WorkspaceUsage): QuotaUsage {
  return {
    files: usage.files + usage.versions + usage.trashFiles,
    bytes: usage.bytes + usage.versionBytes + usage.trashBytes,
  }
}
