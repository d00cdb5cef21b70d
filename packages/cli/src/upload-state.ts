import { createHash } from 'node:crypto'
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { homedir } from 'node:os'
import { basename, join, resolve } from 'node:path'

/** What `granary upload` remembers about an unfinished multipart upload. */
export interface SavedUpload {
  upload_id: string
  server_url: string
  workspace_id: string
  file_key: string
  path: string
  size: number
  mtime_ms: number
  created_at: string
}

type Identity = Omit<SavedUpload, 'upload_id' | 'file_key' | 'created_at'>

export interface UploadIdentity {
  path: string
  workspaceId: string
  /** Folder inside the workspace (`--path`), or undefined. */
  folder: string | undefined
  serverUrl: string
  env: Record<string, string | undefined>
}

/**
 * A small state file per (file, version, destination) under `~/.granary/uploads/`
 * (`GRANARY_STATE_DIR` moves it), so running the same `granary upload` after Ctrl-C or a kill
 * continues the session instead of starting over. A changed file (size or mtime) gets a new one.
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
    const info = await stat(path)
    const key = `${identity.folder ?? ''}${basename(path)}`
    const parts = [path, info.size, info.mtimeMs, identity.workspaceId, key, identity.serverUrl]
    const name = createHash('sha256').update(JSON.stringify(parts)).digest('hex')
    const dir = join(stateRoot(identity.env), 'uploads')
    return new UploadState(join(dir, `${name}.json`), {
      server_url: identity.serverUrl,
      workspace_id: identity.workspaceId,
      path,
      size: info.size,
      mtime_ms: info.mtimeMs,
    })
  }

  async load(): Promise<SavedUpload | undefined> {
    const text = await readFile(this.file, 'utf8').catch(() => undefined)
    if (text === undefined) return undefined
    try {
      const saved = JSON.parse(text) as SavedUpload
      return typeof saved.upload_id === 'string' ? saved : undefined
    } catch {
      return undefined
    }
  }

  async save(upload: { uploadId: string; fileKey: string }): Promise<void> {
    const saved: SavedUpload = {
      upload_id: upload.uploadId,
      file_key: upload.fileKey,
      ...this.#identity,
      created_at: new Date().toISOString(),
    }
    await mkdir(join(this.file, '..'), { recursive: true })
    // Aside, then renamed: a kill mid-write never leaves half a state file.
    await writeFile(`${this.file}.tmp`, `${JSON.stringify(saved, null, 2)}\n`)
    await rename(`${this.file}.tmp`, this.file)
  }

  remove(): Promise<void> {
    return rm(this.file, { force: true })
  }
}

export function stateRoot(env: Record<string, string | undefined>): string {
  return env.GRANARY_STATE_DIR ?? join(env.HOME ?? homedir(), '.granary')
}
