/** The blob store as the server sees it; on S3, whether browsers may upload from this page. */
import type { StorageStatus } from '@granary/client'
import { useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import { errorText } from '../format.ts'
import { client } from '../session.ts'

export function StorageCheck() {
  const status = useSignal<StorageStatus | undefined>(undefined)
  const error = useSignal<string | undefined>(undefined)
  useEffect(() => {
    client.value.storage.check().then(
      (answer) => {
        status.value = answer
      },
      (err: unknown) => {
        error.value = errorText(err)
      },
    )
  }, [])
  const s = status.value
  const origins = s?.cors_origins
  const blocked = origins && !origins.includes(location.origin) && !origins.includes('*')
  return (
    <section aria-labelledby="storage-title">
      <h2 id="storage-title">Storage</h2>
      {error.value && <p class="error-text">{error.value}</p>}
      {s && (
        <>
          <p>
            {s.backend === 's3' ? 'S3' : 'Local folder'}: <code>{s.location}</code> ·{' '}
            {s.reachable ? 'reachable' : 'not reachable'}
          </p>
          {s.problems.map((problem) => (
            <p key={problem} class="error-text">
              {problem}
            </p>
          ))}
          {blocked && (
            <p class="error-text">
              Browsers cannot upload large files from this page until the bucket allows it:{' '}
              <code>granary admin storage check --set-cors {location.origin}</code>
            </p>
          )}
        </>
      )}
    </section>
  )
}
