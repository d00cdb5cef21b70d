/**
 * Runs folder jobs batch by batch. Each batch is one transaction that also records the job's
 * progress (MetadataStore.runJobBatch), so a kill -9 leaves every file old or new and the job
 * where its last commit left it; `resumeAll` (at start and every few seconds, server.ts) picks
 * up running jobs, in any process: the job's row lock makes processes take turns.
 */
import { crashPoint } from '../crash-points.ts'
import type { BlobDeletions } from './blob-deletions.ts'
import { type Clock, isoNow } from './clock.ts'
import type { MetadataStore } from './ports.ts'

export interface JobRunnerOptions {
  /** Files per batch (one transaction each). */
  batchSize: number
  clock: Clock
  deletions: BlobDeletions
  onError: (error: unknown, context: string) => void
}

export class JobRunner {
  readonly #metadata: MetadataStore
  readonly #options: JobRunnerOptions
  readonly #running = new Map<string, Promise<void>>()
  #closed = false

  constructor(metadata: MetadataStore, options: JobRunnerOptions) {
    this.#metadata = metadata
    this.#options = options
  }

  /** Starts running the job in the background unless this process already runs it. */
  start(id: string): void {
    if (this.#closed || this.#running.has(id)) return
    const run = this.#run(id)
      .catch((error: unknown) => this.#options.onError(error, `job ${id} (will resume)`))
      .finally(() => this.#running.delete(id))
    this.#running.set(id, run)
  }

  /** Starts every running job (after a restart, or one another process left). */
  async resumeAll(): Promise<number> {
    const jobs = await this.#metadata.listRunningJobs(100)
    for (const job of jobs) this.start(job.id)
    return jobs.length
  }

  /** Waits until the jobs this process runs now are finished or stopped (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.#running.values())
  }

  /** Stops after the batch in flight; the jobs stay running in the database for the next start. */
  async close(): Promise<void> {
    this.#closed = true
    await this.settled()
  }

  async #run(id: string): Promise<void> {
    while (!this.#closed) {
      const { job, freedBlobNames } = await this.#metadata.runJobBatch(id, {
        limit: this.#options.batchSize,
        now: isoNow(this.#options.clock),
      })
      crashPoint('job.batch-committed')
      for (const blobName of freedBlobNames) await this.#options.deletions.deleteNow(blobName)
      if (job.status !== 'running') return
      // Let requests in between batches.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
}
