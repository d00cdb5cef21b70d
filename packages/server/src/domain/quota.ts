/**
 * Workspace quotas: `quota_bytes` and `quota_files` (null: no limit) against what the workspace
 * holds, current files, old versions and the trash alike, since all of them keep bytes on disk.
 */
import { AppError } from './errors.ts'

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
