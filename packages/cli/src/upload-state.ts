import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, join, resolve } from 'node:path'

/**
 * What `granary upload` remembers about an unfinished multipart upload: state-file format 1,
 * shared with the Python client (`python/src/granary/resume_state.py`), so either tool resumes
 * the other's interrupted upload. Documented in packages/cli/README.md ("Resuming uploads").
 */
export interface SavedUpload {
  version: 1
  upload_id: string
  file_key: string
  server_url: string
  workspace_id: string
  /** The key asked for: the folder with a trailing `/`, then the file name. */
  key: string
  /** The local file's absolute path. */
  path: string
  size: number
  /** The file's mtime in whole milliseconds (floor of nanoseconds / 10^6). */
  mtime_ms: number
  created_at: string
}

type Identity = Pick<
  SavedUpload,
  'server_url' | 'workspace_id' | 'key' | 'path' | 'size' | 'mtime_ms'
>

export interface UploadIdentity {
  path: string
  workspaceId: string
  /** Folder inside the workspace (`--path`), or undefined. */
  folder: string | undefined
  serverUrl: string
  env: Record<string, string | undefined>
}

/**
 * A small state file per (file, version, destination) under `$GRANARY_STATE_DIR/uploads/`
 * (default `~/.granary/uploads/`), so running the same `granary upload` (or the Python client's
 * `upload_file`) after Ctrl-C or a kill continues the session instead of starting over. A changed
 * file (size or mtime) gets a new one.
 */
export class UploadState {
  readonly file: string
  readonly #identity: Identity

  private constructor(file: string, identity: Identity) {
    this.file = file
    this.#identity = identity
  }

  static async for(identity: UploadIdentity): Promise<UploadState> {
    const path = resolve(identity.path)
    // bigint: the exact nanoseconds, so the milliseconds match Python's st_mtime_ns // 10**6.
    const info = await stat(path, { bigint: true })
    const ids: Identity = {
      server_url: identity.serverUrl.replace(/\/+$/, ''),
      workspace_id: identity.workspaceId,
      key: `${folderOf(identity.folder)}${basename(path)}`,
      path,
      size: Number(info.size),
      mtime_ms: Number(info.mtimeNs / 1_000_000n),
    }
    return new UploadState(join(stateRoot(identity.env), 'uploads', stateFileName(ids)), ids)
  }

  /** The saved upload, or undefined when there is none (or it is another file's, or unreadable). */
  async load(): Promise<SavedUpload | undefined> {
    const text = await readFile(this.file, 'utf8').catch(() => undefined)
    if (text === undefined) return undefined
    try {
      const saved = JSON.parse(text) as Partial<SavedUpload>
      return this.#matches(saved) ? (saved as SavedUpload) : undefined
    } catch {
      return undefined
    }
  }

  async save(upload: { uploadId: string; fileKey: string }): Promise<void> {
    const saved: SavedUpload = {
      version: 1,
      upload_id: upload.uploadId,
      file_key: upload.fileKey,
      ...this.#identity,
      created_at: new Date().toISOString(),
    }
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 })
    // Aside, then renamed: a kill mid-write never leaves half a state file.
    const tmp = `${this.file}.${process.pid}.tmp`
    await writeFile(tmp, `${JSON.stringify(saved, null, 2)}\n`)
    await rename(tmp, this.file)
  }

  remove(): Promise<void> {
    return rm(this.file, { force: true })
  }

  #matches(saved: Partial<SavedUpload>): boolean {
    if (saved.version !== 1 || typeof saved.upload_id !== 'string') return false
    const ids = this.#identity
    return (
      saved.server_url === ids.server_url &&
      saved.workspace_id === ids.workspace_id &&
      saved.path === ids.path &&
      saved.size === ids.size &&
      saved.mtime_ms === ids.mtime_ms
    )
  }
}

/** `raw` -> `raw/`; nothing -> `` (the workspace's top). */
function folderOf(folder: string | undefined): string {
  if (!folder) return ''
  return folder.endsWith('/') ? folder : `${folder}/`
}

/**
 * The state file's name: the hex SHA-256 of these UTF-8 lines joined by `\n`, then `.json`:
 * `granary-upload-v1`, server URL, workspace id, key, size, mtime_ms, absolute path.
 */
export function stateFileName(ids: Identity): string {
  const lines = [
    'granary-upload-v1',
    ids.server_url,
    ids.workspace_id,
    ids.key,
    String(ids.size),
    String(ids.mtime_ms),
    ids.path,
  ]
  return `${createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex')}.json`
}

export function stateRoot(env: Record<string, string | undefined>): string {
  return env.GRANARY_STATE_DIR || join(env.HOME ?? homedir(), '.granary')
}
