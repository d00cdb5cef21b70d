/**
 * Who is signed in. The API key lives in sessionStorage only (this tab, gone when it closes):
 * never in a URL, never in a cookie. Signing out forgets it.
 */
import { ApiError, Granary, type MeResponse } from '@granary/client'
import { computed, signal } from '@preact/signals'

export type Me = MeResponse

const STORAGE_KEY = 'granary.apiKey'

export const apiKey = signal<string | undefined>(undefined)
export const me = signal<Me | undefined>(undefined)
export const isAdmin = computed(() => me.value?.key.scopes.includes('admin') ?? false)

/** A client for the signed-in key (calls that need no upload progress). */
export const client = computed(() => new Granary({ apiKey: apiKey.value }))

/** Checks a key with GET /v1/me; on success keeps it for this tab. */
export async function signIn(key: string): Promise<void> {
  const trimmed = key.trim()
  const answer = await fetchMe(trimmed)
  sessionStorage.setItem(STORAGE_KEY, trimmed)
  apiKey.value = trimmed
  me.value = answer
}

/** Signs in again with the key this tab kept (a reload); forgets it if it no longer works. */
export async function resume(): Promise<void> {
  const kept = sessionStorage.getItem(STORAGE_KEY)
  if (!kept) return
  try {
    await signIn(kept)
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) signOut()
    else throw err
  }
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY)
  apiKey.value = undefined
  me.value = undefined
}

function fetchMe(key: string): Promise<Me> {
  return new Granary({ apiKey: key }).me()
}
