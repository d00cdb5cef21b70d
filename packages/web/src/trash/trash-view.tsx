/**
 * The workspace's trash: what was deleted, when it is purged for good, and buttons to restore
 * or purge each item (and, for admins, to empty it). One page of 100 at a time, by cursor.
 */
import { ApiError, type TrashItem } from '@granary/client'
import { useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import { restoreProblem } from '../files/file-actions.ts'
import { errorText, formatBytes, formatDate } from '../format.ts'
import { filesHref } from '../route.ts'
import { client, isAdmin } from '../session.ts'
import { askText, confirmAction } from '../ui/dialogs.tsx'
import { notify } from '../ui/notices.tsx'

const PAGE_SIZE = 100

interface Page {
  items: TrashItem[]
  next: string | null
}

export function TrashView({ workspaceId }: { workspaceId: string }) {
  const page = useSignal<Page | undefined>(undefined)
  const cursors = useSignal<string[]>([])
  const problem = useSignal<string | undefined>(undefined)
  const load = async (cursor?: string) => {
    try {
      const answer = await client.value.trash.list({ workspaceId, limit: PAGE_SIZE, cursor })
      page.value = { items: answer.files, next: answer.next_cursor }
      problem.value = undefined
    } catch (err) {
      problem.value = errorText(err)
    }
  }
  const reload = () => load(cursors.value[cursors.value.length - 1])
  useEffect(() => {
    cursors.value = []
    void load()
  }, [workspaceId])
  const items = page.value?.items ?? []
  const groups = new Map<string, number>()
  for (const item of items) groups.set(item.group_id, (groups.get(item.group_id) ?? 0) + 1)
  return (
    <main class="trash" aria-label="Trash">
      <div class="toolbar">
        <h1>Trash</h1>
        <div class="tools">
          <a class="button" href={filesHref(workspaceId)}>
            Back to files
          </a>
          {isAdmin.value && items.length > 0 && (
            <button
              type="button"
              class="danger"
              onClick={() => void emptyTrash(workspaceId, reload)}
            >
              Empty trash
            </button>
          )}
        </div>
      </div>
      {problem.value && (
        <p class="error-text" role="alert">
          Could not list the trash: {problem.value}
        </p>
      )}
      <table class="files trash-items" aria-label={`Trash of ${workspaceId}`}>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Size</th>
            <th scope="col">Deleted</th>
            <th scope="col">Purged after</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {page.value && items.length === 0 && (
            <tr class="empty">
              <td colSpan={5}>The trash is empty.</td>
            </tr>
          )}
          {items.map((item) => (
            <TrashRow
              key={item.trash_id}
              workspaceId={workspaceId}
              item={item}
              together={groups.get(item.group_id) ?? 1}
              reload={reload}
            />
          ))}
        </tbody>
      </table>
      {(cursors.value.length > 0 || page.value?.next) && (
        <nav class="pager" aria-label="Pages">
          <button
            type="button"
            disabled={cursors.value.length === 0}
            onClick={() => {
              cursors.value = cursors.value.slice(0, -1)
              void reload()
            }}
          >
            Previous page
          </button>
          <button
            type="button"
            disabled={!page.value?.next}
            onClick={() => {
              const next = page.value?.next
              if (!next) return
              cursors.value = [...cursors.value, next]
              void load(next)
            }}
          >
            Next page
          </button>
        </nav>
      )}
    </main>
  )
}

interface RowProps {
  workspaceId: string
  item: TrashItem
  /** Items on this page deleted by the same call (a folder). */
  together: number
  reload: () => Promise<void>
}

function TrashRow({ workspaceId, item, together, reload }: RowProps) {
  return (
    <tr data-key={item.key}>
      <td class="name">{item.key}</td>
      <td class="size">{formatBytes(item.size)}</td>
      <td>{formatDate(item.deleted_at)}</td>
      <td>{formatDate(item.purge_at)}</td>
      <td class="row-actions">
        <button
          type="button"
          aria-label={`Restore ${item.key}`}
          onClick={() => void restore(workspaceId, item, reload)}
        >
          Restore
        </button>
        {together > 1 && (
          <button
            type="button"
            aria-label={`Restore ${item.key} and the files deleted with it`}
            onClick={() => void restoreGroup(workspaceId, item, reload)}
          >
            Restore all {together}
          </button>
        )}
        <button
          type="button"
          class="danger"
          aria-label={`Purge ${item.key}`}
          onClick={() => void purge(workspaceId, item, reload)}
        >
          Purge
        </button>
      </td>
    </tr>
  )
}

/** Restores at the item's key; if a file is there now, offers another name. */
async function restore(workspaceId: string, item: TrashItem, reload: () => Promise<void>) {
  try {
    await client.value.trash.restore(item.trash_id, { workspaceId })
    notify(`Restored ${item.key}`)
  } catch (err) {
    if (!(err instanceof ApiError && err.code === 'file_exists')) {
      notify(`Could not restore ${item.key}: ${restoreProblem(err)}`, { error: true })
      return
    }
    await restoreElsewhere(workspaceId, item)
  }
  await reload()
}

/** Restores everything deleted by the same call (a folder), as it was. */
async function restoreGroup(workspaceId: string, item: TrashItem, reload: () => Promise<void>) {
  try {
    const { files } = await client.value.trash.restoreGroup(item.group_id, { workspaceId })
    notify(`Restored ${files.length} files`)
  } catch (err) {
    notify(`Could not restore them: ${restoreProblem(err)}`, { error: true })
  }
  await reload()
}

async function restoreElsewhere(workspaceId: string, item: TrashItem): Promise<void> {
  const to = await askText({
    title: `${item.key} exists`,
    message: 'A file has that name now. Restore the deleted one under another path:',
    inputLabel: 'Restore as',
    initial: item.key.replace(/(\.[^./]+)?$/, ' (restored)$1'),
    confirmLabel: 'Restore',
  })
  if (!to?.trim()) return
  try {
    await client.value.trash.restore(item.trash_id, { workspaceId, to: to.trim() })
    notify(`Restored ${item.key} as ${to.trim()}`)
  } catch (err) {
    notify(`Could not restore ${item.key}: ${restoreProblem(err)}`, { error: true })
  }
}

async function purge(workspaceId: string, item: TrashItem, reload: () => Promise<void>) {
  const ok = await confirmAction({
    title: `Purge ${item.key}?`,
    message: `${item.key} (${formatBytes(item.size)}) and its versions are deleted for good. This cannot be undone.`,
    confirmLabel: 'Purge',
    danger: true,
  })
  if (!ok) return
  try {
    await client.value.trash.purge(item.trash_id, { workspaceId })
    notify(`Purged ${item.key}`)
    await reload()
  } catch (err) {
    notify(`Could not purge ${item.key}: ${errorText(err)}`, { error: true })
  }
}

async function emptyTrash(workspaceId: string, reload: () => Promise<void>) {
  const ok = await confirmAction({
    title: 'Empty the trash?',
    message: `Every file in the trash of ${workspaceId} is deleted for good. This cannot be undone.`,
    confirmLabel: 'Empty trash',
    danger: true,
  })
  if (!ok) return
  try {
    await client.value.trash.purgeAll({ workspaceId })
    notify('Emptied the trash')
    await reload()
  } catch (err) {
    notify(`Could not empty the trash: ${errorText(err)}`, { error: true })
  }
}
