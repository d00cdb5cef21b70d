/** Admin keys only: workspaces (list, create) and API keys (list, create, revoke). Lazy chunk. */
import {
  type ApiKeyInfo,
  type CreatedApiKey,
  SCOPES,
  type Scope,
  type Workspace,
} from '@granary/client'
import { useSignal } from '@preact/signals'
import { useEffect, useRef } from 'preact/hooks'
import { errorText, formatDate } from '../format.ts'
import { client, isAdmin, me } from '../session.ts'
import { confirmAction } from '../ui/dialogs.tsx'
import { copyText, notify } from '../ui/notices.tsx'
import { StorageCheck } from './storage-check.tsx'

export function Admin() {
  const workspaces = useSignal<Workspace[]>([])
  const keys = useSignal<ApiKeyInfo[]>([])
  const reload = async () => {
    try {
      const [ws, ks] = await Promise.all([client.value.workspaces.list(), client.value.keys.list()])
      workspaces.value = ws
      keys.value = ks
      const mine = me.value
      if (mine) me.value = { ...mine, workspaces: ws.map(({ id, name }) => ({ id, name })) }
    } catch (err) {
      notify(`Could not load the admin data: ${errorText(err)}`, { error: true })
    }
  }
  useEffect(() => {
    void reload()
  }, [])
  if (!isAdmin.value)
    return (
      <main class="admin">
        <p>Only admin keys can manage workspaces and keys.</p>
      </main>
    )
  return (
    <main class="admin">
      <h1>Admin</h1>
      <WorkspacesSection workspaces={workspaces.value} onChange={reload} />
      <KeysSection keys={keys.value} workspaces={workspaces.value} onChange={reload} />
      <StorageCheck />
    </main>
  )
}

function WorkspacesSection(props: { workspaces: Workspace[]; onChange: () => Promise<void> }) {
  const onSubmit = async (event: Event) => {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const id = String(data.get('id') ?? '').trim()
    try {
      const ws = await client.value.workspaces.create({
        name: String(data.get('name') ?? '').trim(),
        ...(id ? { id } : {}),
      })
      form.reset()
      notify(`Created workspace ${ws.name} (${ws.id})`)
      await props.onChange()
    } catch (err) {
      notify(`Could not create the workspace: ${errorText(err)}`, { error: true })
    }
  }
  return (
    <section aria-labelledby="ws-title">
      <h2 id="ws-title">Workspaces</h2>
      <table class="plain" aria-labelledby="ws-title">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">ID</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {props.workspaces.map((ws) => (
            <tr key={ws.id}>
              <td>
                <a href={`#/ws/${encodeURIComponent(ws.id)}/`}>{ws.name}</a>
              </td>
              <td>
                <code>{ws.id}</code>
              </td>
              <td>{formatDate(ws.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="inline-form" onSubmit={onSubmit} aria-label="New workspace">
        <label class="field">
          Workspace name
          <input name="name" required />
        </label>
        <label class="field">
          ID (optional)
          <input name="id" placeholder="ws_lab" pattern="[A-Za-z0-9_\-]+" />
        </label>
        <button type="submit" class="primary">
          Create workspace
        </button>
      </form>
    </section>
  )
}

interface KeysProps {
  keys: ApiKeyInfo[]
  workspaces: Workspace[]
  onChange: () => Promise<void>
}

function KeysSection({ keys, workspaces, onChange }: KeysProps) {
  const created = useSignal<CreatedApiKey | undefined>(undefined)
  const revoke = async (key: ApiKeyInfo) => {
    const ok = await confirmAction({
      title: `Revoke ${key.name}?`,
      message: 'Everything using this key stops working at its next request.',
      confirmLabel: 'Revoke',
      danger: true,
    })
    if (!ok) return
    try {
      await client.value.keys.revoke(key.id)
      notify(`Revoked ${key.name}`)
      await onChange()
    } catch (err) {
      notify(`Could not revoke ${key.name}: ${errorText(err)}`, { error: true })
    }
  }
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <div class="table-scroll">
        <table class="plain" aria-labelledby="keys-title">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Scopes</th>
              <th scope="col">Workspaces</th>
              <th scope="col">Expires</th>
              <th scope="col">State</th>
              <th scope="col">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id} class={key.revoked_at ? 'revoked' : ''}>
                <td>
                  {key.name} <span class="muted">{key.id}</span>
                </td>
                <td>{key.scopes.join(', ')}</td>
                <td>{key.workspace_ids ? key.workspace_ids.join(', ') : 'all'}</td>
                <td>{key.expires_at ? formatDate(key.expires_at) : 'never'}</td>
                <td>{key.revoked_at ? `revoked ${formatDate(key.revoked_at)}` : 'active'}</td>
                <td>
                  {!key.revoked_at && key.id !== me.value?.key.id && (
                    <button
                      type="button"
                      class="danger"
                      onClick={() => void revoke(key)}
                      aria-label={`Revoke ${key.name}`}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <NewKeyForm
        workspaces={workspaces}
        onCreated={async (key) => {
          created.value = key
          await onChange()
        }}
      />
      {created.value && (
        <SecretOnce created={created.value} onDone={() => (created.value = undefined)} />
      )}
    </section>
  )
}

function NewKeyForm(props: {
  workspaces: Workspace[]
  onCreated: (key: CreatedApiKey) => Promise<void>
}) {
  const onSubmit = async (event: Event) => {
    event.preventDefault()
    const form = event.currentTarget as HTMLFormElement
    const data = new FormData(form)
    const scopes = data.getAll('scope').map(String) as Scope[]
    const workspaceIds = data.getAll('workspace').map(String)
    const expires = String(data.get('expires') ?? '')
    try {
      const key = await client.value.keys.create({
        name: String(data.get('name') ?? '').trim(),
        scopes,
        ...(workspaceIds.length ? { workspaceIds } : {}),
        ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`) } : {}),
      })
      form.reset()
      await props.onCreated(key)
    } catch (err) {
      notify(`Could not create the key: ${errorText(err)}`, { error: true })
    }
  }
  return (
    <form class="key-form" onSubmit={onSubmit} aria-label="New API key">
      <h3>New API key</h3>
      <label class="field">
        Key name
        <input name="name" required placeholder="sequencer" />
      </label>
      <fieldset>
        <legend>Scopes</legend>
        {SCOPES.map((scope) => (
          <label key={scope} class="check">
            <input type="checkbox" name="scope" value={scope} defaultChecked={scope === 'files'} />{' '}
            {scope}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Workspaces (not needed for admin keys)</legend>
        {props.workspaces.map((ws) => (
          <label key={ws.id} class="check">
            <input type="checkbox" name="workspace" value={ws.id} /> {ws.name} ({ws.id})
          </label>
        ))}
      </fieldset>
      <label class="field">
        Expires on (optional)
        <input type="date" name="expires" />
      </label>
      <button type="submit" class="primary">
        Create key
      </button>
    </form>
  )
}

function SecretOnce({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const input = useRef<HTMLInputElement>(null)
  // The one thing to do now is to copy it: bring it into view, selected.
  useEffect(() => input.current?.focus(), [created.id])
  return (
    <section class="secret" aria-label="New key secret">
      <p>
        <strong>{created.name}</strong> was created. Copy its secret now: it is shown only once.
      </p>
      <label class="field">
        Secret
        <input
          ref={input}
          readOnly
          value={created.secret}
          onFocus={(e) => e.currentTarget.select()}
        />
      </label>
      <div class="actions">
        <button
          type="button"
          class="primary"
          onClick={() => void copyText(created.secret, 'the secret')}
        >
          Copy secret
        </button>
        <button type="button" onClick={onDone}>
          Done
        </button>
      </div>
    </section>
  )
}
