/**
 * A workspace folder: breadcrumbs, a filter by name prefix, the file table (one page at a time),
 * the details panel, and drop-to-upload anywhere on it.
 */
import type { FileInfo } from '@granary/client'
import { useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import { filesHref, go, trashHref } from '../route.ts'
import { askText } from '../ui/dialogs.tsx'
import { notify } from '../ui/notices.tsx'
import { filesFromDrop, filesFromInput } from '../uploads/drop.ts'
import { enqueue, onUploaded } from '../uploads/queue.ts'
import { Breadcrumbs } from './breadcrumbs.tsx'
import { Details } from './details.tsx'
import { FileTable } from './file-table.tsx'
import {
  filter,
  loadError,
  loading,
  nextCursor,
  nextPage,
  openFolder,
  pageCursors,
  previousPage,
  refresh,
  rememberFolder,
} from './listing.ts'
import { selected } from './selection.ts'

interface Props {
  workspaceId: string
  folder: string
}

export function FileBrowser({ workspaceId, folder }: Props) {
  const dragging = useSignal(false)
  useEffect(() => {
    selected.value = undefined
    filter.value = ''
    void openFolder({ workspaceId, folder })
    onUploaded.value = () => void refresh()
  }, [workspaceId, folder])
  const upload = (picked: { file: File; relativePath?: string }[]) => {
    if (picked.length === 0) return
    enqueue(workspaceId, folder, picked)
    notify(`Uploading ${picked.length} file${picked.length === 1 ? '' : 's'} to /${folder}`)
  }
  const onDrop = async (event: DragEvent) => {
    event.preventDefault()
    dragging.value = false
    if (event.dataTransfer) upload(await filesFromDrop(event.dataTransfer))
  }
  return (
    <main
      class={`browser${dragging.value ? ' dragging' : ''}${selected.value ? ' with-details' : ''}`}
      onDragOver={(e) => {
        e.preventDefault()
        dragging.value = true
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) dragging.value = false
      }}
      onDrop={onDrop}
      aria-label="Files"
    >
      <div class="toolbar">
        <Breadcrumbs workspaceId={workspaceId} folder={folder} />
        <Toolbar workspaceId={workspaceId} folder={folder} onFiles={upload} />
      </div>
      <div class="panes">
        <section class="listing" aria-busy={loading.value}>
          {loadError.value && (
            <p class="error-text" role="alert">
              Could not list this folder: {loadError.value}
            </p>
          )}
          <FileTable workspaceId={workspaceId} folder={folder} onSelect={select} />
          <Pager />
        </section>
        {selected.value && <Details workspaceId={workspaceId} />}
      </div>
      <p class="drop-hint" aria-hidden="true">
        Drop files or folders to upload them to /{folder}
      </p>
    </main>
  )
}

function select(file: FileInfo): void {
  selected.value = file
}

function Toolbar(props: Props & { onFiles: (picked: ReturnType<typeof filesFromInput>) => void }) {
  const { workspaceId, folder, onFiles } = props
  const onPick = (event: Event) => {
    const input = event.currentTarget as HTMLInputElement
    if (input.files) onFiles(filesFromInput(input.files))
    input.value = ''
  }
  const newFolder = async () => {
    const name = await askText({
      title: 'New folder',
      message: 'The folder appears for good once a file is uploaded into it.',
      inputLabel: 'Folder name',
      confirmLabel: 'Create',
    })
    const clean = name?.trim().replace(/^\/+|\/+$/g, '')
    if (!clean) return
    rememberFolder(workspaceId, `${folder}${clean}/`)
    go(filesHref(workspaceId, `${folder}${clean}/`))
  }
  return (
    <div class="tools">
      <label class="filter">
        <span class="sr-only">Filter by name</span>
        <input
          type="search"
          placeholder="Filter by name…"
          value={filter.value}
          onInput={(e) => {
            filter.value = (e.currentTarget as HTMLInputElement).value
            void openFolder({ workspaceId, folder })
          }}
        />
      </label>
      <label class="button primary">
        Upload files
        <input type="file" multiple class="sr-only" onChange={onPick} aria-label="Upload files" />
      </label>
      <label class="button">
        Upload folder
        <input
          type="file"
          class="sr-only"
          onChange={onPick}
          aria-label="Upload folder"
          {...{ webkitdirectory: true }}
        />
      </label>
      <button type="button" onClick={newFolder}>
        New folder
      </button>
      <a class="button" href={trashHref(workspaceId)}>
        Trash
      </a>
      <button type="button" onClick={() => void refresh()} aria-label="Refresh the list">
        ⟳
      </button>
    </div>
  )
}

function Pager() {
  const page = pageCursors.value.length + 1
  if (page === 1 && !nextCursor.value) return null
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" onClick={previousPage} disabled={page === 1}>
        Previous page
      </button>
      <span>Page {page}</span>
      <button type="button" onClick={nextPage} disabled={!nextCursor.value}>
        Next page
      </button>
    </nav>
  )
}
