/** Short messages read out by screen readers (aria-live), e.g. "Deleted raw/a.vcf". */
import { signal } from '@preact/signals'

/** A button beside the message, e.g. "Undo" right after a delete. */
export interface NoticeAction {
  label: string
  run: () => void
}

interface Notice {
  text: string
  error: boolean
  action?: NoticeAction | undefined
}

const current = signal<Notice | undefined>(undefined)
let timer: ReturnType<typeof setTimeout> | undefined

export function notify(
  text: string,
  { error = false, action }: { error?: boolean; action?: NoticeAction } = {},
): void {
  current.value = { text, error, action }
  clearTimeout(timer)
  // A message with an action stays longer: there must be time to reach its button.
  if (!error) timer = setTimeout(() => (current.value = undefined), action ? 15_000 : 6000)
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
          {notice.action && (
            <button
              type="button"
              onClick={() => {
                const run = notice.action?.run
                current.value = undefined
                run?.()
              }}
            >
              {notice.action.label}
            </button>
          )}
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
