/** The first screen: paste an API key, sign in. */
import { ApiError } from '@granary/client'
import { useSignal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import { errorText } from './format.ts'
import { signIn } from './session.ts'

export function SignIn() {
  const error = useSignal<string | undefined>(undefined)
  const busy = useSignal(false)
  const input = useRef<HTMLInputElement>(null)
  // The only thing to do on this page is to paste a key.
  useEffect(() => input.current?.focus(), [])
  const onSubmit = async (event: Event) => {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const key = new FormData(form).get('key')
    busy.value = true
    error.value = undefined
    try {
      await signIn(String(key ?? ''))
    } catch (err) {
      error.value =
        err instanceof ApiError && err.status === 401
          ? 'That API key was not accepted: it may be mistyped, revoked or expired. Check it and try again.'
          : `Could not sign in: ${errorText(err)}`
    } finally {
      busy.value = false
    }
  }
  return (
    <main class="sign-in">
      <form onSubmit={onSubmit} aria-describedby="sign-in-help">
        <h1>Granary</h1>
        <p id="sign-in-help">
          Paste your API key. The server prints the admin key when it first starts; an admin can
          make keys for everyone else. The key stays in this tab only.
        </p>
        <label class="field">
          API key
          <input
            ref={input}
            name="key"
            type="password"
            required
            autoComplete="off"
            spellcheck={false}
            aria-invalid={error.value ? 'true' : undefined}
            aria-describedby={error.value ? 'sign-in-error' : undefined}
          />
        </label>
        {error.value && (
          <p id="sign-in-error" class="error-text" role="alert">
            {error.value}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy.value}>
          Sign in
        </button>
      </form>
    </main>
  )
}
