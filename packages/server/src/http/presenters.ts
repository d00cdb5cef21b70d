/**
 * The wire boundary: domain values (camelCase) become the snake_case shapes of
 * packages/protocol here, and nowhere else.
 */
import type { FileInfo, GcReport, StorageStatus } from '@granary/protocol'
import type { FileRecord, StorageInspection } from '../domain/ports.ts'
import type { ReapReport } from '../domain/upload-reaper.ts'

export function toFileInfo(file: FileRecord): FileInfo {
  const { workspaceId, blobName: _blobName, ...rest } = file
  return { ...rest, workspace_id: workspaceId }
}

export function toStorageStatus(state: StorageInspection): StorageStatus {
  const { corsOrigins, ...rest } = state
  return { ...rest, cors_origins: corsOrigins }
}

export function toGcReport(report: ReapReport, deletedBlobs: number): GcReport {
  return { ...report, deleted_blobs: deletedBlobs }
}
