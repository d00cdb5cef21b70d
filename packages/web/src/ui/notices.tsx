/** Short messages read out by screen readers (aria-live), e.g. "Deleted raw/a.vcf". */
import { signal } from '@preact/signals'

interface Notice {
  text: string
  error: boolean
}

const current = signal<Notice | undefined>(undefined)
let timer: ReturnType<typeof setTimeout> | undefined

export function notify(text: string, { error = false } = {}): void {
  current.value = { text, error }
  clearTimeout(timer)
  if (!error) timer = setTimeout(() => (current.value = undefined), 6000)
}

export function Notices() {
  const notice = current.value
  return (
    <div
      class={`notice${notice?.error ? ' error' : ''}`}
      role={notice?.error ? 'alert' : 'status'}
      aria-live="polite"
    >
      {notice && (
        <>
          <span>{notice.text}</span>
          <button
            type="button"
            class="link"
            onClick={() => (current.value = undefined)}
            aria-label="Dismiss message"
          >
            ×
          </button>
        </>
      )}
    </div>
  )
}

/** Copies text; where the clipboard is refused (no permission), says so. */
export async function copyText(text: string, what: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text)
    notify(`Copied ${what}.`)
  } catch {
    notify(`Could not copy ${what}: select it and press Ctrl+C.`, { error: true })
  }
}
