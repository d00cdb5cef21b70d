/**
 * The folder on screen: one page of the folder view (`delimiter=/`) at a time, so a folder of
 * 100,000 files costs the same as one of 100. Pages are walked with the server's cursor; the
 * cursors already seen make "Previous" possible.
 */
import type { FileInfo } from '@granary/client'
import { batch, computed, signal } from '@preact/signals'
import { errorText } from '../format.ts'
import { client } from '../session.ts'

export const PAGE_SIZE = 100

export type Row = { kind: 'folder'; prefix: string } | { kind: 'file'; file: FileInfo }
export type SortBy = 'name' | 'size' | 'modified' | 'type'

interface Place {
  workspaceId: string
  folder: string
}

export const place = signal<Place | undefined>(undefined)
export const filter = signal('')
export const folders = signal<string[]>([])
export const files = signal<FileInfo[]>([])
export const loading = signal(false)
export const loadError = signal<string | undefined>(undefined)
/** Cursors of the pages before the current one ('' is the first page). */
export const pageCursors = signal<string[]>([])
export const nextCursor = signal<string | null>(null)
export const sort = signal<{ by: SortBy; descending: boolean }>({ by: 'name', descending: false })
/** Folders made with "New folder" that hold no file yet, by workspace. */
export const madeFolders = signal<ReadonlySet<string>>(new Set())

export const rows = computed<Row[]>(() => {
  const here = place.value
  const made = [...madeFolders.value].filter(
    (prefix) =>
      here !== undefined &&
      prefix.startsWith(`${here.workspaceId}:${here.folder}${filter.value}`) &&
      !prefix.slice(here.workspaceId.length + 1 + here.folder.length, -1).includes('/'),
  )
  const all = new Set([...folders.value, ...made.map((p) => p.slice(p.indexOf(':') + 1))])
  const folderRows: Row[] = [...all].sort().map((prefix) => ({ kind: 'folder', prefix }))
  const fileRows: Row[] = sortFiles(files.value).map((file) => ({ kind: 'file', file }))
  return sort.value.descending && sort.value.by === 'name'
    ? [...folderRows.reverse(), ...fileRows]
    : [...folderRows, ...fileRows]
})

let current: AbortController | undefined

/** Shows the first page of a folder (or the page after `cursor`). */
export async function openPage(at: Place, cursor = ''): Promise<void> {
  current?.abort()
  const controller = new AbortController()
  current = controller
  loading.value = true
  const here = place.value
  if (here?.workspaceId !== at.workspaceId || here.folder !== at.folder) {
    // Never show one folder's rows under another's name while the new page loads.
    batch(() => {
      place.value = at
      files.value = []
      folders.value = []
      nextCursor.value = null
    })
  }
  try {
    const page = await client.value.files.list({
      workspaceId: at.workspaceId,
      prefix: at.folder + filter.value,
      delimiter: '/',
      limit: PAGE_SIZE,
      cursor: cursor || undefined,
      signal: controller.signal,
    })
    if (controller.signal.aborted) return
    batch(() => {
      place.value = at
      files.value = page.files
      folders.value = page.folders ?? []
      nextCursor.value = page.next_cursor
      loadError.value = undefined
    })
  } catch (err) {
    if (!controller.signal.aborted) loadError.value = errorText(err)
  } finally {
    if (current === controller) loading.value = false
  }
}

/** Opens a folder from its first page. */
export function openFolder(at: Place): Promise<void> {
  pageCursors.value = []
  return openPage(at)
}

export function nextPage(): void {
  const at = place.value
  const cursor = nextCursor.value
  if (!at || !cursor) return
  pageCursors.value = [...pageCursors.value, cursor]
  void openPage(at, cursor)
}

export function previousPage(): void {
  const at = place.value
  if (!at || pageCursors.value.length === 0) return
  const cursors = pageCursors.value.slice(0, -1)
  pageCursors.value = cursors
  void openPage(at, cursors[cursors.length - 1] ?? '')
}

/** Shows the current page again (after an upload or a delete). */
export function refresh(): Promise<void> {
  const at = place.value
  if (!at) return Promise.resolve()
  const cursors = pageCursors.value
  return openPage(at, cursors[cursors.length - 1] ?? '')
}

export function rememberFolder(workspaceId: string, prefix: string): void {
  madeFolders.value = new Set([...madeFolders.value, `${workspaceId}:${prefix}`])
}

function sortFiles(list: FileInfo[]): FileInfo[] {
  const { by, descending } = sort.value
  const sign = descending ? -1 : 1
  const value = (f: FileInfo): string | number =>
    by === 'size'
      ? f.size
      : by === 'modified'
        ? f.updated_at
        : by === 'type'
          ? f.content_type
          : f.name
  return [...list].sort((a, b) => {
    const [x, y] = [value(a), value(b)]
    return (x < y ? -1 : x > y ? 1 : 0) * sign || (a.name < b.name ? -1 : 1)
  })
}
