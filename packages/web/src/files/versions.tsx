/** A file's versions, newest first: download an older one, or make it current again. */
import type { FileInfo, FileVersion } from '@granary/client'
import { useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import { errorText, formatBytes, formatDate } from '../format.ts'
import { client } from '../session.ts'
import { confirmAction } from '../ui/dialogs.tsx'
import { notify } from '../ui/notices.tsx'
import { download } from './details.tsx'
import { refresh } from './listing.ts'
import { selected } from './selection.ts'

interface Props {
  workspaceId: string
  file: FileInfo
}

export function Versions({ workspaceId, file }: Props) {
  const versions = useSignal<FileVersion[] | undefined>(undefined)
  const problem = useSignal<string | undefined>(undefined)
  useEffect(() => {
    versions.value = undefined
    client.value.files
      .versions(file.key, { workspaceId })
      .then((list) => {
        versions.value = list
        problem.value = undefined
      })
      .catch((err: unknown) => {
        problem.value = errorText(err)
      })
  }, [workspaceId, file.key, file.updated_at])
  const restore = async (version: FileVersion) => {
    const ok = await confirmAction({
      title: `Restore this version of ${file.name}?`,
      message: `The version of ${formatDate(version.created_at)} becomes the current content, as a new version; nothing is lost.`,
      confirmLabel: 'Restore',
    })
    if (!ok) return
    try {
      const current = await client.value.files.restore(file.key, {
        workspaceId,
        versionId: version.version_id,
      })
      notify(`Restored the version of ${formatDate(version.created_at)}`)
      selected.value = current
      await refresh()
    } catch (err) {
      notify(`Could not restore it: ${errorText(err)}`, { error: true })
    }
  }
  return (
    <section class="versions" aria-label={`Versions of ${file.name}`}>
      <h3>Versions</h3>
      {problem.value && <p class="error-text">Could not list the versions: {problem.value}</p>}
      {!versions.value && !problem.value && <p class="loading">Loading versions…</p>}
      <ol>
        {versions.value?.map((version) => (
          <li key={version.version_id}>
            <span class="when">{formatDate(version.created_at)}</span>
            <span class="size">{formatBytes(version.size)}</span>
            {version.is_current ? (
              <span class="current">Current</span>
            ) : (
              <span class="version-actions">
                <button
                  type="button"
                  class="link"
                  aria-label={`Download the version of ${formatDate(version.created_at)}`}
                  onClick={() => void download(workspaceId, file, version.version_id)}
                >
                  Download
                </button>
                <button
                  type="button"
                  class="link"
                  aria-label={`Restore the version of ${formatDate(version.created_at)}`}
                  onClick={() => void restore(version)}
                >
                  Restore
                </button>
              </span>
            )}
          </li>
        ))}
      </ol>
    </section>
  )
}
