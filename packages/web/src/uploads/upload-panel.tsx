/** Progress of every upload and of all together, with speed and time left; cancel, replace. */
import { useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import { formatBytes, formatDuration } from '../format.ts'
import {
  cancel,
  cancelAll,
  clearFinished,
  replace,
  retry,
  totals,
  type UploadItem,
  uploads,
} from './queue.ts'

const STATUS_TEXT = {
  queued: 'Waiting',
  uploading: 'Uploading',
  done: 'Done',
  failed: 'Failed',
  exists: 'A file with this name exists',
  cancelled: 'Cancelled',
} as const

export function UploadPanel() {
  const items = uploads.value
  const rate = useRate()
  const collapsed = useSignal(false)
  if (items.length === 0) return null
  const { size, sent, active } = totals.value
  const left = rate > 0 ? (size - sent) / rate : Number.NaN
  return (
    <section class="uploads" aria-label="Uploads">
      <header>
        <h2>Uploads {active > 0 ? `(${active} left)` : '(finished)'}</h2>
        <div class="actions">
          <button
            type="button"
            aria-expanded={!collapsed.value}
            aria-controls="upload-list"
            onClick={() => {
              collapsed.value = !collapsed.value
            }}
          >
            {collapsed.value ? 'Show' : 'Hide'}
          </button>
          {active > 0 && (
            <button type="button" onClick={cancelAll}>
              Cancel all
            </button>
          )}
          <button type="button" onClick={clearFinished}>
            Clear finished
          </button>
        </div>
      </header>
      <Bar value={sent} max={size} label="All uploads" />
      <p class="muted total">
        {formatBytes(sent)} of {formatBytes(size)}
        {active > 0 && rate > 0 && ` · ${formatBytes(rate)}/s · ${formatDuration(left)} left`}
      </p>
      <ul id="upload-list" hidden={collapsed.value}>
        {items.map((item) => (
          <UploadRow key={item.id} item={item} />
        ))}
      </ul>
    </section>
  )
}

function UploadRow({ item }: { item: UploadItem }) {
  const status = item.status.value
  const key = `${item.folder}${item.file.name}`
  return (
    <li class={`upload ${status}`}>
      <div class="row">
        <span class="name" title={key}>
          {key}
        </span>
        <span class="status">{STATUS_TEXT[status]}</span>
      </div>
      {status === 'uploading' && (
        <Bar value={item.sent.value} max={item.file.size} label={`Upload of ${key}`} />
      )}
      {item.error.value && <p class="error-text">{item.error.value}</p>}
      {item.corsBlocked.value && (
        <p class="error-text" role="alert">
          The storage did not answer this browser's upload. If this keeps happening, the bucket's
          CORS rules do not allow this site; an admin can fix it with{' '}
          <code>granary admin storage check --set-cors {location.origin}</code>
        </p>
      )}
      <div class="actions">
        {(status === 'uploading' || status === 'queued') && (
          <button type="button" onClick={() => cancel(item)} aria-label={`Cancel upload of ${key}`}>
            Cancel
          </button>
        )}
        {status === 'exists' && (
          <>
            <button type="button" class="danger" onClick={() => replace(item)}>
              Replace
            </button>
            <button type="button" onClick={() => cancel(item)}>
              Keep the existing file
            </button>
          </>
        )}
        {status === 'failed' && (
          <button type="button" onClick={() => retry(item)}>
            Retry
          </button>
        )}
      </div>
    </li>
  )
}

function Bar({ value, max, label }: { value: number; max: number; label: string }) {
  return <progress value={max === 0 ? 1 : value} max={max === 0 ? 1 : max} aria-label={label} />
}

/** Bytes per second over the last few seconds, sampled twice a second while uploads run. */
function useRate(): number {
  const rate = useSignal(0)
  useEffect(() => {
    const samples: { at: number; sent: number }[] = []
    const timer = setInterval(() => {
      const { sent, active } = totals.peek()
      if (active === 0) {
        samples.length = 0
        rate.value = 0
        return
      }
      samples.push({ at: performance.now(), sent })
      while (samples.length > 10) samples.shift()
      const first = samples[0]
      const last = samples[samples.length - 1]
      if (first && last && last.at > first.at) {
        rate.value = Math.max(0, ((last.sent - first.sent) * 1000) / (last.at - first.at))
      }
    }, 500)
    return () => clearInterval(timer)
  }, [])
  return rate.value
}
