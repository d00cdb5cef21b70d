/** The whole page: sign in, then a workspace's files, or the admin screens. */
import { lazy, Suspense } from 'preact/compat'
import { useEffect } from 'preact/hooks'
import { FileBrowser } from './files/file-browser.tsx'
import { filesHref, go, route } from './route.ts'
import { isAdmin, me, signOut } from './session.ts'
import { SignIn } from './sign-in.tsx'
import { DialogHost } from './ui/dialogs.tsx'
import { Notices } from './ui/notices.tsx'
import { UploadPanel } from './uploads/upload-panel.tsx'

// Loaded on demand: most people never open it.
const Admin = lazy(() => import('./admin/admin.tsx').then((m) => ({ default: m.Admin })))
const TrashView = lazy(() =>
  import('./trash/trash-view.tsx').then((m) => ({ default: m.TrashView })),
)

export function App() {
  if (!me.value) {
    return (
      <>
        <SignIn />
        <Notices />
      </>
    )
  }
  return (
    <>
      <Header />
      <Content />
      <UploadPanel />
      <DialogHost />
      <Notices />
    </>
  )
}

function Content() {
  const current = route.value
  const workspaces = me.value?.workspaces ?? []
  const only = workspaces.length === 1 ? workspaces[0] : undefined
  useEffect(() => {
    if (current.view === 'files' && !current.workspaceId && only) go(filesHref(only.id))
  }, [current, only])
  if (current.view === 'admin') {
    return (
      <Suspense fallback={<p class="loading">Loading…</p>}>
        <Admin />
      </Suspense>
    )
  }
  if (current.view === 'trash') {
    return (
      <Suspense fallback={<p class="loading">Loading…</p>}>
        <TrashView workspaceId={current.workspaceId} />
      </Suspense>
    )
  }
  if (!current.workspaceId) return <WorkspacePicker />
  return <FileBrowser workspaceId={current.workspaceId} folder={current.folder} />
}

function Header() {
  const current = route.value
  const workspaceId = current.view === 'admin' ? undefined : current.workspaceId
  const workspaces = me.value?.workspaces ?? []
  return (
    <header class="top">
      <a class="brand" href="#/">
        Granary
      </a>
      {workspaces.length > 0 && (
        <label class="workspace-select">
          <span class="sr-only">Workspace</span>
          <select
            value={workspaceId ?? ''}
            onChange={(e) => go(filesHref((e.currentTarget as HTMLSelectElement).value))}
          >
            {!workspaceId && <option value="">Choose a workspace</option>}
            {workspaces.map((ws) => (
              <option key={ws.id} value={ws.id}>
                {ws.name} ({ws.id})
              </option>
            ))}
          </select>
        </label>
      )}
      <nav aria-label="Main" class="top-nav">
        {isAdmin.value && (
          <a href="#/admin" aria-current={current.view === 'admin' ? 'page' : undefined}>
            Admin
          </a>
        )}
        <span class="who" title={me.value?.key.id}>
          {me.value?.key.name}
        </span>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </nav>
    </header>
  )
}

function WorkspacePicker() {
  const workspaces = me.value?.workspaces ?? []
  return (
    <main class="picker">
      <h1>Choose a workspace</h1>
      {workspaces.length === 0 ? (
        <p>This key may not use any workspace yet. Ask an admin to grant one.</p>
      ) : (
        <ul>
          {workspaces.map((ws) => (
            <li key={ws.id}>
              <a href={filesHref(ws.id)}>
                <strong>{ws.name}</strong> <span class="muted">{ws.id}</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </main>
  )
}
