import { AppError, isAppError } from '../../domain/errors.ts'
import type { StorageAdmin, StorageInspection } from '../../domain/ports.ts'
import type { LocalBlobStore } from './local-blob-store.ts'

/** The data folder needs no CORS: Granary serves its own signed URLs (and the web UI, same origin). */
export class LocalStorageAdmin implements StorageAdmin {
  readonly #store: LocalBlobStore
  readonly #dataDir: string

  constructor(store: LocalBlobStore, dataDir: string) {
    this.#store = store
    this.#dataDir = dataDir
  }

  async inspect(): Promise<StorageInspection> {
    const problems: string[] = []
    await this.#store.check().catch((error: unknown) => {
      const why = isAppError(error) ? error.message : String(error)
      problems.push(
        `${why} Check that ${this.#dataDir} exists, has free space and is writable by Granary.`,
      )
    })
    return {
      backend: 'local',
      location: this.#dataDir,
      reachable: problems.length === 0,
      corsOrigins: null,
      problems,
    }
  }

  async setCorsOrigins(): Promise<void> {
    throw new AppError(
      'invalid_request',
      'CORS rules apply to S3 buckets; with the local backend Granary serves the signed URLs itself.',
    )
  }
}
