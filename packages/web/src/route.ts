/**
 * Where the person is, kept in the URL fragment so Back, reload and bookmarks work:
 * `#/ws/<workspace>/<folder>`, `#/trash/<workspace>` or `#/admin`. The fragment never holds the API key.
 */
import { signal } from '@preact/signals'

export type Route =
  | { view: 'files'; workspaceId: string | undefined; folder: string }
  | { view: 'trash'; workspaceId: string }
  | { view: 'admin' }

export const route = signal<Route>(parse(location.hash))

addEventListener('hashchange', () => {
  route.value = parse(location.hash)
})

export function filesHref(workspaceId: string, folder = ''): string {
  return `#/ws/${encodeURIComponent(workspaceId)}/${folder.split('/').map(encodeURIComponent).join('/')}`
}

export function trashHref(workspaceId: string): string {
  return `#/trash/${encodeURIComponent(workspaceId)}`
}

export function go(href: string): void {
  if (location.hash === href) route.value = parse(href)
  else location.hash = href
}

function parse(hash: string): Route {
  if (hash === '#/admin') return { view: 'admin' }
  const trash = /^#\/trash\/([^/]+)$/.exec(hash)
  if (trash) return { view: 'trash', workspaceId: decode(trash[1] ?? '') }
  const match = /^#\/ws\/([^/]+)\/?(.*)$/.exec(hash)
  if (!match) return { view: 'files', workspaceId: undefined, folder: '' }
  const folder = (match[2] ?? '').split('/').map(decode).join('/')
  return { view: 'files', workspaceId: decode(match[1] ?? ''), folder }
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part)
  } catch {
    return part
  }
}
