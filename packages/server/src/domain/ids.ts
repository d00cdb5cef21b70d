import { randomBytes, randomFillSync } from 'node:crypto'

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz'

/**
 * Random bytes drawn from the CSPRNG 4 KiB at a time: every request gets an id, and one
 * `randomBytes` call per id cost more CPU than the rest of the id. Bytes are zeroed once used.
 */
const pool = Buffer.alloc(4096)
let used = pool.length

/** A random lower-case alphanumeric string; 16 chars carry ~82 bits. */
export function randomId(length = 16): string {
  if (length > pool.length) return idFrom(randomBytes(length))
  if (used + length > pool.length) {
    randomFillSync(pool)
    used = 0
  }
  const bytes = pool.subarray(used, used + length)
  used += length
  const id = idFrom(bytes)
  bytes.fill(0)
  return id
}

function idFrom(bytes: Uint8Array): string {
  let out = ''
  for (const byte of bytes) out += ALPHABET[byte % 36]
  return out
}

/**
 * A time-ordered id (ms timestamp in base36, then randomness), so blob names of one key sort
 * by upload time when an operator lists the store.
 */
export function versionId(now: number): string {
  return `${now.toString(36).padStart(9, '0')}${randomId(8)}`
}

export const newFileId = () => `file_${randomId()}`
export const newUploadId = () => `up_${randomId()}`
export const newKeyId = () => `key_${randomId(12)}`
export const newWorkspaceId = () => `ws_${randomId(10)}`
/** API key secrets: 'gr_' + 40 chars (~206 bits). */
export const newKeySecret = () => `gr_${randomId(40)}`

/** Workspace ids look like the seed's `ws_abc123`. */
export const isWorkspaceId = (id: string) => /^ws_[A-Za-z0-9_-]{1,60}$/.test(id)
/** Ids of a shape we never issue are not looked up (some databases refuse their characters). */
export const isKeyId = (id: string) => /^key_[a-z0-9]{1,40}$/.test(id)
export const isUploadId = (id: string) => /^up_[a-z0-9]{1,40}$/.test(id)
