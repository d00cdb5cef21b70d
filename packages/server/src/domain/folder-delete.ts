/**
 * DELETE /v1/files?prefix=raw/&recursive=true: every file under a folder goes to the trash in
 * one transaction with one group id (restored together by POST /v1/trash/restore-group), or is
 * deleted at once when the workspace keeps no trash (trash_days 0). Each file's file.delete
 * event is written by the removal itself.
 */
import type { AuditContext } from './audit.ts'
import { AppError } from './errors.ts'
import type { FileRemoval, Removal } from './file-removal.ts'
import { prefixUpperBound, validatePrefix } from './keys.ts'
import type { ListRange, MetadataStore } from './ports.ts'

const PAGE = 1000

/** A folder to delete: ends in '/', never the whole workspace. */
export function validateFolder(prefix: string): string {
  validatePrefix(prefix)
  if (!prefix.endsWith('/')) {
    throw new AppError(
      'invalid_request',
      `The prefix '${prefix}' is not a folder: a folder ends in '/' (e.g. raw/).`,
    )
  }
  return prefix
}

/** Every key under the folder, in key order, read page by page. */
export async function folderKeys(
  metadata: MetadataStore,
  workspaceId: string,
  prefix: string,
): Promise<string[]> {
  const before = prefixUpperBound(prefix)
  const keys: string[] = []
  let from = { key: prefix, inclusive: true }
  for (;;) {
    const range: ListRange = { workspaceId, from, limit: PAGE, ...(before ? { before } : {}) }
    const page = await metadata.listFiles(range)
    for (const file of page) keys.push(file.key)
    const last = page.at(-1)
    if (page.length < PAGE || !last) return keys
    from = { key: last.key, inclusive: false }
  }
}

/** Removes the folder's files in one call; an empty folder is file_not_found. */
export async function deleteFolder(
  metadata: MetadataStore,
  removal: FileRemoval,
  request: { workspaceId: string; prefix: string; audit: AuditContext },
): Promise<Removal> {
  const prefix = validateFolder(request.prefix)
  const keys = await folderKeys(metadata, request.workspaceId, prefix)
  const done =
    keys.length > 0 ? await removal.remove(request.workspaceId, keys, request.audit) : null
  if (!done || done.removed === 0) {
    throw new AppError(
      'file_not_found',
      `No files under '${prefix}' in workspace '${request.workspaceId}': nothing to delete.`,
    )
  }
  return done
}
