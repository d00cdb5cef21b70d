import { ApiError } from './errors.ts'
import type { Job } from './lifecycle-wire.ts'
import { sleep } from './retry.ts'
import type { Transport } from './transport.ts'

export interface JobWaitOptions {
  /** Time between two looks at the job, in ms (default 1000). */
  intervalMs?: number
  /** Called with the job each time it is fetched, e.g. to show its progress. */
  onProgress?: (job: Job) => void
  signal?: AbortSignal
}

/** Background jobs (very large folder operations): `client.jobs`. */
export class Jobs {
  readonly #transport: Transport

  constructor(transport: Transport) {
    this.#transport = transport
  }

  /**
   * A job's state and progress.
   *
   * @example
   * const job = await client.jobs.get('job_123')
   * console.log(job.status, job.done, job.total)
   */
  get(jobId: string, options: { signal?: AbortSignal } = {}): Promise<Job> {
    return this.#transport.json('GET', `/v1/jobs/${encodeURIComponent(jobId)}`, options)
  }

  /**
   * Polls a job until it is finished; answers the finished job, or raises its error as an
   * ApiError when it failed.
   *
   * @example
   * const job = await client.jobs.wait('job_123', { onProgress: (j) => console.log(j.done, j.total) })
   */
  async wait(jobId: string, options: JobWaitOptions = {}): Promise<Job> {
    const { intervalMs = 1000, onProgress, signal } = options
    for (;;) {
      const job = await this.get(jobId, { signal })
      onProgress?.(job)
      if (job.status === 'failed') throw jobError(job)
      if (job.status !== 'running') return job
      await sleep(intervalMs, signal)
    }
  }
}

/** A failed job as the ApiError its operation would have raised had it run inline. */
function jobError(job: Job): ApiError {
  return new ApiError({
    status: 409,
    code: job.error?.code ?? 'internal_error',
    message: job.error?.message ?? `Job ${job.job_id} failed: see GET /v1/jobs/${job.job_id}.`,
    details: { job_id: job.job_id },
  })
}
