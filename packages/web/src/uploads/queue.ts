/**
 * The upload queue: a few files at a time, each through @granary/client's uploadFile (a form
 * POST for small files, a multipart session with parallel, retried parts from 64 MiB). Progress
 * comes from XHR (progressFetch). Uploads are create-only: a name that exists is held for the
 * person to confirm "Replace".
 */
import { ApiError, Granary, NetworkError } from '@granary/client'
import { computed, type Signal, signal } from '@preact/signals'
import { errorText } from '../format.ts'
import { apiKey } from '../session.ts'
import { progressFetch } from '../xhr-fetch.ts'

export const MULTIPART_FROM = 64 * 1024 * 1024
const PART_SIZE = 16 * 1024 * 1024
const FILES_AT_ONCE = 3
const PARTS_AT_ONCE = 4

export type UploadStatus = 'queued' | 'uploading' | 'done' | 'failed' | 'exists' | 'cancelled'

export interface UploadItem {
  readonly id: number
  readonly file: File
  readonly workspaceId: string
  /** Folder the file lands in, e.g. `raw/run1/`. */
  readonly folder: string
  readonly status: Signal<UploadStatus>
  readonly sent: Signal<number>
  readonly error: Signal<string | undefined>
  /** Set when the store refused a browser PUT (S3 without CORS for this origin). */
  readonly corsBlocked: Signal<boolean>
  overwrite: boolean
  controller: AbortController | undefined
}

export const uploads = signal<UploadItem[]>([])
/** Called after each finished upload (the folder view refreshes). */
export const onUploaded = signal<() => void>(() => {})

export const totals = computed(() => {
  let size = 0
  let sent = 0
  let active = 0
  for (const item of uploads.value) {
    if (item.status.value === 'cancelled') continue
    size += item.file.size
    sent += item.status.value === 'done' ? item.file.size : item.sent.value
    if (item.status.value === 'uploading' || item.status.value === 'queued') active++
  }
  return { size, sent, active }
})

let nextId = 1

/** Queues files; `relativePath` (folder uploads) keeps sub-folders under `folder`. */
export function enqueue(
  workspaceId: string,
  folder: string,
  entries: { file: File; relativePath?: string }[],
): void {
  const added = entries.map(({ file, relativePath }) => {
    const sub = relativePath ? relativePath.split('/').slice(0, -1).join('/') : ''
    return {
      id: nextId++,
      file,
      workspaceId,
      folder: sub ? `${folder}${sub}/` : folder,
      status: signal<UploadStatus>('queued'),
      sent: signal(0),
      error: signal<string | undefined>(undefined),
      corsBlocked: signal(false),
      overwrite: false,
      controller: undefined,
    }
  })
  uploads.value = [...uploads.value, ...added]
  pump()
}

export function cancel(item: UploadItem): void {
  item.controller?.abort()
  if (item.status.value === 'queued' || item.status.value === 'exists') {
    item.status.value = 'cancelled'
  }
}

export function cancelAll(): void {
  for (const item of uploads.value) cancel(item)
}

/** Uploads again, replacing the file of that name. */
export function replace(item: UploadItem): void {
  item.overwrite = true
  retry(item)
}

export function retry(item: UploadItem): void {
  item.sent.value = 0
  item.error.value = undefined
  item.status.value = 'queued'
  pump()
}

/** Forgets finished and cancelled uploads. */
export function clearFinished(): void {
  uploads.value = uploads.value.filter((item) =>
    ['queued', 'uploading', 'exists', 'failed'].includes(item.status.value),
  )
}

function pump(): void {
  const running = uploads.value.filter((item) => item.status.value === 'uploading').length
  const waiting = uploads.value.filter((item) => item.status.value === 'queued')
  for (const item of waiting.slice(0, Math.max(0, FILES_AT_ONCE - running))) void run(item)
}

async function run(item: UploadItem): Promise<void> {
  const controller = new AbortController()
  item.controller = controller
  item.status.value = 'uploading'
  item.corsBlocked.value = false
  const uploader = new Granary({
    apiKey: apiKey.value,
    fetch: progressFetch({
      onSent: (delta) => {
        item.sent.value = Math.max(0, item.sent.value + delta)
      },
      // The client retries a part that got no answer; say at once why it may keep failing,
      // and take it back when the store answers.
      onUnanswered: (url) => {
        if (isOtherOrigin(url)) item.corsBlocked.value = true
      },
      onAnswered: (url) => {
        if (isOtherOrigin(url)) item.corsBlocked.value = false
      },
    }),
  })
  try {
    // Untyped: the server names the type from the file name, and knows genomics formats
    // browsers get wrong (Chrome calls a .vcf a vCard). The Blob refers to the File, no copy.
    await uploader.files.uploadFile(new Blob([item.file]), {
      workspaceId: item.workspaceId,
      path: item.folder || undefined,
      filename: item.file.name,
      overwrite: item.overwrite,
      largeThreshold: MULTIPART_FROM,
      multipartThreshold: MULTIPART_FROM,
      partSize: PART_SIZE,
      concurrency: PARTS_AT_ONCE,
      signal: controller.signal,
    })
    item.status.value = 'done'
    onUploaded.value()
  } catch (err) {
    failed(item, err, controller.signal)
  } finally {
    item.controller = undefined
    pump()
  }
}

function failed(item: UploadItem, err: unknown, signal: AbortSignal): void {
  if (signal.aborted) {
    item.status.value = 'cancelled'
  } else if (err instanceof ApiError && err.code === 'file_exists') {
    item.status.value = 'exists'
  } else {
    item.status.value = 'failed'
    if (err instanceof NetworkError && isOtherOrigin(err.url)) item.corsBlocked.value = true
    item.error.value = errorText(err)
  }
}

/**
 * A PUT to another origin (the S3 endpoint) that got no answer at all: the browser blocked it,
 * almost always because the bucket's CORS rules do not list this page's origin.
 */
function isOtherOrigin(url: string): boolean {
  try {
    return new URL(url, location.href).origin !== location.origin
  } catch {
    return false
  }
}
