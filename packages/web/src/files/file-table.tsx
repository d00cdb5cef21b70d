/**
 * The rows of a folder. Keyboard: arrows (and Home/End) move between rows, Enter opens a folder
 * or a file's details, Escape closes them, Delete deletes the file, Backspace goes up a folder.
 */
import type { FileInfo } from '@granary/client'
import { baseName, formatBytes, formatDate } from '../format.ts'
import { filesHref, go } from '../route.ts'
import { Icon } from '../ui/icon.tsx'
import { deleteFile } from './file-actions.ts'
import { loading, type Row, rows, type SortBy, sort } from './listing.ts'
import { selected } from './selection.ts'

interface Props {
  workspaceId: string
  folder: string
  onSelect: (file: FileInfo) => void
}

const COLUMNS: { by: SortBy; label: string }[] = [
  { by: 'name', label: 'Name' },
  { by: 'size', label: 'Size' },
  { by: 'modified', label: 'Modified' },
  { by: 'type', label: 'Type' },
]

export function FileTable({ workspaceId, folder, onSelect }: Props) {
  const list = rows.value
  const open = (row: Row) => {
    if (row.kind === 'folder') go(filesHref(workspaceId, row.prefix))
    else onSelect(row.file)
  }
  const onKeyDown = (event: KeyboardEvent) => {
    const row = (event.target as HTMLElement).closest('tr')
    const index = Number(row?.dataset.index)
    if (!row || Number.isNaN(index)) return
    const target = keyTarget(event.key, index, list.length)
    if (target !== undefined) {
      event.preventDefault()
      focusRow(row, target)
      return
    }
    const current = list[index]
    if (event.key === 'Enter' && current) {
      event.preventDefault()
      open(current)
    } else if (event.key === 'Delete' && current?.kind === 'file') {
      event.preventDefault()
      void deleteFile(workspaceId, current.file)
    } else if (event.key === 'Escape') {
      selected.value = undefined
    } else if (event.key === 'Backspace' && folder) {
      event.preventDefault()
      go(filesHref(workspaceId, folder.replace(/[^/]+\/$/, '')))
    }
  }
  return (
    <table class="files" aria-label={`Files in /${folder}`} aria-rowcount={list.length + 1}>
      <thead>
        <tr>
          {COLUMNS.map((column) => (
            <SortHeader key={column.by} {...column} />
          ))}
        </tr>
      </thead>
      <tbody onKeyDown={onKeyDown}>
        {list.length === 0 && !loading.value && (
          <tr class="empty">
            <td colSpan={4}>Nothing here yet. Drop files here or use “Upload files”.</td>
          </tr>
        )}
        {list.map((row, i) => (
          <FileRow
            key={row.kind === 'folder' ? row.prefix : row.file.key}
            row={row}
            index={i}
            open={open}
          />
        ))}
      </tbody>
    </table>
  )
}

function FileRow({ row, index, open }: { row: Row; index: number; open: (row: Row) => void }) {
  const isSelected = row.kind === 'file' && selected.value?.key === row.file.key
  const cells =
    row.kind === 'folder'
      ? [`${baseName(row.prefix)}/`, '', '', 'Folder']
      : [
          row.file.name,
          formatBytes(row.file.size),
          formatDate(row.file.updated_at),
          row.file.content_type,
        ]
  return (
    <tr
      data-index={index}
      data-key={row.kind === 'file' ? row.file.key : undefined}
      tabIndex={index === 0 ? 0 : -1}
      class={`${row.kind}${isSelected ? ' selected' : ''}`}
      aria-selected={isSelected}
      onClick={() => open(row)}
    >
      <td class="name">
        <Icon kind={row.kind} />
        {cells[0]}
      </td>
      <td class="size">{cells[1]}</td>
      <td class="modified">{cells[2]}</td>
      <td class="type">{cells[3]}</td>
    </tr>
  )
}

function SortHeader({ by, label }: { by: SortBy; label: string }) {
  const current = sort.value
  const active = current.by === by
  const direction = current.descending ? 'descending' : 'ascending'
  return (
    <th scope="col" class={by} aria-sort={active ? direction : 'none'}>
      <button
        type="button"
        class="link"
        onClick={() => {
          sort.value = { by, descending: active ? !current.descending : false }
        }}
      >
        {label}
        <span aria-hidden="true">{active ? (current.descending ? ' ▼' : ' ▲') : ''}</span>
      </button>
    </th>
  )
}

function keyTarget(key: string, index: number, count: number): number | undefined {
  if (key === 'ArrowDown') return Math.min(count - 1, index + 1)
  if (key === 'ArrowUp') return Math.max(0, index - 1)
  if (key === 'Home') return 0
  if (key === 'End') return count - 1
  return undefined
}

/** Roving tabindex: only the focused row is in the Tab order. */
function focusRow(from: HTMLElement, index: number): void {
  const next = from.parentElement?.querySelector<HTMLElement>(`tr[data-index="${index}"]`)
  if (!next) return
  from.tabIndex = -1
  next.tabIndex = 0
  next.focus()
}
