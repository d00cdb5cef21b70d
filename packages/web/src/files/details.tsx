/** The selected file: its metadata with copy buttons, and what can be done with it. */
import type { FileInfo } from '@granary/client'
import { useSignal } from '@preact/signals'
import { lazy, Suspense } from 'preact/compat'
import { errorText, formatBytes, formatDate } from '../format.ts'
import { client } from '../session.ts'
import { copyText, notify } from '../ui/notices.tsx'
import { deleteFile, moveFile } from './file-actions.ts'
import { selected } from './selection.ts'
import { viewableFormat, viewFile } from './view-file.ts'

const Preview = lazy(() => import('./preview.tsx').then((m) => ({ default: m.Preview })))
const Versions = lazy(() => import('./versions.tsx').then((m) => ({ default: m.Versions })))

const EXPIRIES = [
  { seconds: 3600, label: '1 hour' },
  { seconds: 24 * 3600, label: '1 day' },
  { seconds: 7 * 24 * 3600, label: '7 days' },
  { seconds: 600, label: '10 minutes' },
]

/** Closes the panel and gives focus back to the file's row. */
function closeDetails(): void {
  const key = selected.value?.key
  selected.value = undefined
  const row = [...document.querySelectorAll<HTMLElement>('table.files tbody tr')].find(
    (tr) => tr.dataset.key === key,
  )
  row?.focus()
}

export function Details({ workspaceId }: { workspaceId: string }) {
  const file = selected.value
  const previewing = useSignal<string | undefined>(undefined)
  const history = useSignal<string | undefined>(undefined)
  if (!file) return null
  const fields: [string, string][] = [
    ['Key', file.key],
    ['Size', `${formatBytes(file.size)} (${file.size.toLocaleString()} bytes)`],
    ['SHA-256', file.sha256],
    ['Content type', file.content_type],
    ['Description', file.description ?? ''],
    ['Created', formatDate(file.created_at)],
    ['Modified', formatDate(file.updated_at)],
    ['ID', file.id],
  ]
  return (
    <aside
      class="details"
      aria-label={`Details of ${file.name}`}
      onKeyDown={(event) => {
        if (event.key === 'Escape') closeDetails()
      }}
    >
      <header>
        <h2>{file.name}</h2>
        <button type="button" class="link" aria-label="Close details" onClick={closeDetails}>
          ×
        </button>
      </header>
      <dl>
        {fields.map(([label, value]) => (
          <div key={label} class="field-row">
            <dt>{label}</dt>
            <dd>
              <span class="value">{value || '—'}</span>
              {value && ['Key', 'SHA-256', 'ID'].includes(label) && (
                <button
                  type="button"
                  class="link copy"
                  aria-label={`Copy ${label}`}
                  onClick={() => void copyText(value, label)}
                >
                  Copy
                </button>
              )}
            </dd>
          </div>
        ))}
      </dl>
      <div class="actions">
        <button type="button" class="primary" onClick={() => void download(workspaceId, file)}>
          Download
        </button>
        <button
          type="button"
          onClick={() => {
            previewing.value = previewing.value === file.key ? undefined : file.key
          }}
          aria-expanded={previewing.value === file.key}
        >
          Preview
        </button>
        {viewableFormat(file.name) && (
          <button type="button" onClick={() => void viewFile(workspaceId, file)}>
            View
          </button>
        )}
        <button
          type="button"
          onClick={() => {
            history.value = history.value === file.key ? undefined : file.key
          }}
          aria-expanded={history.value === file.key}
        >
          Versions
        </button>
        <button type="button" onClick={() => void moveFile(workspaceId, file)}>
          Move / rename
        </button>
        <button type="button" class="danger" onClick={() => void deleteFile(workspaceId, file)}>
          Delete
        </button>
      </div>
      {history.value === file.key && (
        <Suspense fallback={<p class="loading">Loading versions…</p>}>
          <Versions workspaceId={workspaceId} file={file} />
        </Suspense>
      )}
      <ShareLink workspaceId={workspaceId} file={file} />
      {previewing.value === file.key && (
        <Suspense fallback={<p class="loading">Loading preview…</p>}>
          <Preview workspaceId={workspaceId} file={file} />
        </Suspense>
      )}
    </aside>
  )
}

/**
 * Downloads through a signed URL: the browser saves it (attachment), the page stays. With
 * `versionId`, an older version of the file.
 */
export async function download(
  workspaceId: string,
  file: FileInfo,
  versionId?: string,
): Promise<void> {
  try {
    const { url } = await client.value.files.downloadUrl(file.key, { workspaceId, versionId })
    const a = document.createElement('a')
    a.href = url
    a.download = file.name
    a.rel = 'noopener'
    document.body.append(a)
    a.click()
    a.remove()
  } catch (err) {
    notify(`Could not download ${file.key}: ${errorText(err)}`, { error: true })
  }
}

function ShareLink({ workspaceId, file }: { workspaceId: string; file: FileInfo }) {
  const link = useSignal<{ key: string; url: string; expires: string } | undefined>(undefined)
  const expiry = useSignal(EXPIRIES[0]?.seconds ?? 3600)
  const make = async () => {
    try {
      const answer = await client.value.files.downloadUrl(file.key, {
        workspaceId,
        expiresIn: expiry.value,
      })
      link.value = { key: file.key, url: answer.url, expires: answer.expires_at }
      await copyText(answer.url, 'the link')
    } catch (err) {
      notify(`Could not make a link: ${errorText(err)}`, { error: true })
    }
  }
  const shown = link.value?.key === file.key ? link.value : undefined
  return (
    <section class="share" aria-label="Share a link">
      <div class="row">
        <label>
          Link valid for{' '}
          <select
            value={expiry.value}
            onChange={(e) => {
              expiry.value = Number((e.currentTarget as HTMLSelectElement).value)
            }}
          >
            {EXPIRIES.map((option) => (
              <option key={option.seconds} value={option.seconds}>
                {option.label}
              </option>
            ))}
          </select>
        </label>
        <button type="button" onClick={make}>
          Copy link
        </button>
      </div>
      {shown && (
        <label class="field">
          Link (anyone with it can download until {formatDate(shown.expires)})
          <input readOnly value={shown.url} onFocus={(e) => e.currentTarget.select()} />
        </label>
      )}
    </section>
  )
}
