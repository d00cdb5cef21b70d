/**
 * What can be done to one file from the list or its details: delete (to the trash, with an
 * "Undo" right after), move or rename.
 */
import { ApiError, type FileInfo, type TrashItem } from '@granary/client'
import { errorText, formatBytes } from '../format.ts'
import { client } from '../session.ts'
import { askText, confirmAction } from '../ui/dialogs.tsx'
import { notify } from '../ui/notices.tsx'
import { refresh } from './listing.ts'
import { selected } from './selection.ts'

/** Asks, then deletes; the list refreshes and the message offers to undo it. */
export async function deleteFile(workspaceId: string, file: FileInfo): Promise<void> {
  const ok = await confirmAction({
    title: `Delete ${file.name}?`,
    message: `${file.key} (${formatBytes(file.size)}) goes to the trash, where it can be restored until it is purged.`,
    confirmLabel: 'Delete',
    danger: true,
  })
  if (!ok) return
  try {
    await client.value.files.delete(file.key, { workspaceId })
    if (selected.value?.key === file.key) selected.value = undefined
    await refresh()
  } catch (err) {
    notify(`Could not delete ${file.key}: ${errorText(err)}`, { error: true })
    return
  }
  const item = await trashItemOf(workspaceId, file.key).catch(() => undefined)
  if (!item) return notify(`Deleted ${file.key}`)
  notify(`Deleted ${file.key}`, {
    action: { label: 'Undo', run: () => void undoDelete(workspaceId, item) },
  })
}

/** The newest trash item deleted from exactly this key. */
async function trashItemOf(workspaceId: string, key: string): Promise<TrashItem | undefined> {
  const { files } = await client.value.trash.list({ workspaceId, prefix: key, limit: 1000 })
  const same = files.filter((item) => item.key === key)
  return same.sort((a, b) => (a.deleted_at < b.deleted_at ? 1 : -1))[0]
}

async function undoDelete(workspaceId: string, item: TrashItem): Promise<void> {
  try {
    await client.value.trash.restore(item.trash_id, { workspaceId })
    notify(`Restored ${item.key}`)
    await refresh()
  } catch (err) {
    notify(`Could not restore ${item.key}: ${restoreProblem(err)}`, { error: true })
  }
}

/** Why a restore failed, in the words a person needs. */
export function restoreProblem(err: unknown): string {
  if (err instanceof ApiError && err.code === 'file_exists') {
    return 'a file with that name exists now. Restore it under another name from the Trash.'
  }
  return errorText(err)
}

/** Asks for the new key (the whole path, so a file can change folders too), then moves it. */
export async function moveFile(workspaceId: string, file: FileInfo): Promise<void> {
  const answer = await askText({
    title: `Move or rename ${file.name}`,
    message: 'The new path in this workspace, e.g. results/sample.vcf. No byte is copied.',
    inputLabel: 'New path',
    initial: file.key,
    confirmLabel: 'Move',
  })
  const to = answer?.trim().replace(/^\/+/, '')
  if (!to || to === file.key) return
  try {
    const moved = await client.value.files.move(file.key, to, { workspaceId })
    notify(`Moved ${file.key} to ${to}`)
    selected.value = 'sha256' in moved ? (moved as FileInfo) : undefined
    await refresh()
  } catch (err) {
    const why =
      err instanceof ApiError && err.code === 'file_exists' ? `${to} exists` : errorText(err)
    notify(`Could not move ${file.key}: ${why}`, { error: true })
  }
}
