/**
 * The data-lifecycle calls on files (versions, restore, move, copy, folder delete), kept apart
 * from files.ts, which only delegates to them. A folder operation the server runs as a job
 * (`202 {"job_id"}`) is waited for here, so callers get the same answer either way.
 */
import type { FileInfo } from '@granary/protocol'
import { Jobs, type JobWaitOptions } from './jobs.ts'
import type { FileVersion, FolderDeleted, MoveResult } from './lifecycle-wire.ts'
import type { RequestOptions, Transport } from './transport.ts'

export interface MoveOptions {
  /** Replace a file at the destination (its content is kept as a version); default false. */
  overwrite?: boolean
  /** How a folder operation the server runs as a job is waited for. */
  job?: Omit<JobWaitOptions, 'signal'>
  signal?: AbortSignal
}

export class FileLifecycle {
  readonly #transport: Transport
  readonly #jobs: Jobs

  constructor(transport: Transport) {
    this.#transport = transport
    this.#jobs = new Jobs(transport)
  }

  async versions(workspaceId: string, key: string, signal?: AbortSignal): Promise<FileVersion[]> {
    const query = { workspace_id: workspaceId, key }
    const answer = await this.#transport.json<{ versions: FileVersion[] }>(
      'GET',
      '/v1/files/versions',
      { query, signal },
    )
    return answer.versions
  }

  restore(workspaceId: string, key: string, versionId: string, signal?: AbortSignal) {
    const json = { workspace_id: workspaceId, key, version_id: versionId }
    return this.#transport.json<FileInfo>('POST', '/v1/files/restore', { json, signal })
  }

  async deleteVersion(workspaceId: string, key: string, versionId: string, signal?: AbortSignal) {
    const query = { workspace_id: workspaceId, key, version_id: versionId }
    await this.#transport.json('DELETE', '/v1/files/versions', { query, signal })
  }

  relocate(
    operation: 'move' | 'copy',
    workspaceId: string,
    paths: { from: string; to: string },
    options: MoveOptions,
  ): Promise<MoveResult> {
    const json = { workspace_id: workspaceId, ...paths, overwrite: options.overwrite }
    const request = { json, signal: options.signal }
    return this.#answerOrJob('POST', `/v1/files/${operation}`, request, options)
  }

  deleteFolder(workspaceId: string, prefix: string, options: MoveOptions): Promise<FolderDeleted> {
    const query = { workspace_id: workspaceId, prefix, recursive: true }
    const request = { query, signal: options.signal }
    return this.#answerOrJob('DELETE', '/v1/files', request, options)
  }

  /** The answer, or, for `202 {"job_id"}`, what the finished job reports. */
  async #answerOrJob<T>(
    method: string,
    path: string,
    request: RequestOptions,
    options: MoveOptions,
  ): Promise<T> {
    const response = await this.#transport.send(method, path, request)
    const answer = (await response.json()) as T & { job_id?: string }
    if (response.status !== 202 || typeof answer.job_id !== 'string') return answer
    const job = await this.#jobs.wait(answer.job_id, { ...options.job, signal: options.signal })
    // What the same operation answers inline: `{ moved: n }` or `{ copied: n }`.
    return { [job.kind === 'copy' ? 'copied' : 'moved']: job.done ?? 0 } as T
  }
}
