/**
 * Modal questions (confirm, ask for a name) on the native <dialog>: it traps focus, closes on
 * Escape and gives focus back where it was.
 */
import { signal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'

interface Question {
  title: string
  message?: string
  confirmLabel: string
  danger?: boolean
  /** Present: ask for a text (labelled this). */
  inputLabel?: string
  /** The text the input starts with (e.g. the current name, to rename it). */
  initial?: string
  resolve: (answer: string | undefined) => void
}

const open = signal<Question | undefined>(undefined)

/** Resolves true when the person confirms. */
export function confirmAction(options: Omit<Question, 'resolve' | 'inputLabel'>): Promise<boolean> {
  return new Promise((resolve) => {
    open.value = { ...options, resolve: (answer) => resolve(answer !== undefined) }
  })
}

/** Resolves the text entered, or undefined when cancelled. */
export function askText(options: Omit<Question, 'resolve'> & { inputLabel: string }) {
  return new Promise<string | undefined>((resolve) => {
    open.value = { ...options, resolve }
  })
}

export function DialogHost() {
  const ref = useRef<HTMLDialogElement>(null)
  const question = open.value
  useEffect(() => {
    if (question && !ref.current?.open) ref.current?.showModal()
  }, [question])
  if (!question) return null
  const finish = (answer: string | undefined) => {
    ref.current?.close()
    open.value = undefined
    question.resolve(answer)
  }
  const onSubmit = (event: Event) => {
    event.preventDefault()
    const input = ref.current?.querySelector('input')
    finish(input ? input.value : '')
  }
  return (
    <dialog
      ref={ref}
      class="dialog"
      aria-labelledby="dialog-title"
      onCancel={() => finish(undefined)}
    >
      <form onSubmit={onSubmit}>
        <h2 id="dialog-title">{question.title}</h2>
        {question.message && <p>{question.message}</p>}
        {question.inputLabel && (
          <label class="field">
            {question.inputLabel}
            <input name="answer" required autoComplete="off" defaultValue={question.initial} />
          </label>
        )}
        <div class="actions">
          <button type="button" onClick={() => finish(undefined)}>
            Cancel
          </button>
          <button type="submit" class={question.danger ? 'danger' : 'primary'}>
            {question.confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  )
}
