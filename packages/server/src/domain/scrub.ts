/**
 * Scrub: reads stored files back and re-hashes them against the SHA-256 recorded when they
 * were written, to find bit rot, bytes changed behind Granary's back and blobs gone missing.
 * One run at a time per process, in the background; its bytes per second are capped so a scrub
 * does not starve the transfers users are waiting for.
 */
import { createHash } from 'node:crypto'
import type { Principal } from './auth.ts'
import { requirePermission } from './auth.ts'
import type { Clock } from './clock.ts'
import { isoNow } from './clock.ts'
import { AppError } from './errors.ts'
import { randomId } from './ids.ts'
import type { BlobStore, FileRecord, MetadataStore } from './ports.ts'

export interface ScrubOptions {
  /** Share of the files read, 0 < p <= 100; each file is picked at random with this chance. */
  samplePercent: number
  /** Read at most this many bytes per second, averaged over the run. */
  maxBytesPerSecond: number
}

export interface ScrubFinding {
  workspaceId: string
  key: string
  blobName: string
  problem: 'checksum_mismatch' | 'blob_missing'
  expectedSha256: string
  /** What the bytes hash to now; null when the blob is missing. */
  actualSha256: string | null
}

export interface ScrubRun extends ScrubOptions {
  id: string
  status: 'running' | 'finished' | 'failed'
  startedAt: string
  finishedAt: string | null
  checkedFiles: number
  checkedBytes: number
  /** Files left out by sampling. */
  skippedFiles: number
  findings: ScrubFinding[]
  /** Why a failed run stopped (the store could not be read, ...). */
  error: string | null
}

export const SCRUB_DEFAULTS: ScrubOptions = {
  samplePercent: 100,
  maxBytesPerSecond: 100 * 1024 ** 2,
}
const PAGE = 500

export interface ScrubDeps {
  metadata: MetadataStore
  blobs: BlobStore
  clock: Clock
  /** Waits this many milliseconds (the rate cap), rejecting when `signal` aborts. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  onBackgroundError: (error: unknown, context: string) => void
  /** Picks files for a sample; Math.random unless a test fixes it. */
  random?: () => number
}

export class ScrubService {
  readonly #deps: ScrubDeps
  #latest: ScrubRun | undefined
  #running: Promise<void> | undefined
  #stop = new AbortController()

  constructor(deps: ScrubDeps) {
    this.#deps = deps
  }

  /** Starts a run in the background and answers it; one already running -> scrub_running. */
  start(principal: Principal, options: Partial<ScrubOptions> = {}): ScrubRun {
    requirePermission(principal, 'admin')
    if (this.#latest?.status === 'running') {
      throw new AppError(
        'scrub_running',
        `Scrub ${this.#latest.id} is still running; follow it with GET /v1/admin/scrub.`,
      )
    }
    const run: ScrubRun = {
      id: `scrub_${randomId(12)}`,
      status: 'running',
      startedAt: isoNow(this.#deps.clock),
      finishedAt: null,
      samplePercent: options.samplePercent ?? SCRUB_DEFAULTS.samplePercent,
      maxBytesPerSecond: options.maxBytesPerSecond ?? SCRUB_DEFAULTS.maxBytesPerSecond,
      checkedFiles: 0,
      checkedBytes: 0,
      skippedFiles: 0,
      findings: [],
      error: null,
    }
    this.#latest = run
    this.#running = this.#run(run)
    return snapshot(run)
  }

  /** The running or last finished run of this process, if any. */
  latest(principal: Principal): ScrubRun | undefined {
    requirePermission(principal, 'admin')
    return this.#latest && snapshot(this.#latest)
  }

  /** Resolves when the current run (if any) has ended (tests). */
  async settled(): Promise<void> {
    await this.#running
  }

  /** Stops a running scrub (the server is shutting down) and waits for it. */
  async close(): Promise<void> {
    this.#stop.abort()
    await this.#running
  }

  async #run(run: ScrubRun): Promise<void> {
    const signal = this.#stop.signal
    const sleep = (ms: number) => this.#deps.sleep(ms, signal)
    const pace = new Pace(this.#deps.clock, sleep, run.maxBytesPerSecond)
    const random = this.#deps.random ?? Math.random
    try {
      for await (const file of this.#files()) {
        if (signal.aborted)
          throw new AppError('storage_unavailable', 'The server stopped during the scrub.')
        if (random() * 100 >= run.samplePercent) {
          run.skippedFiles++
          continue
        }
        const finding = await this.#check(file, run, pace, signal)
        if (finding) run.findings.push(finding)
        run.checkedFiles++
      }
      run.status = 'finished'
    } catch (error) {
      run.status = 'failed'
      run.error = signal.aborted
        ? 'The server stopped during the scrub; start it again.'
        : error instanceof AppError
          ? error.message
          : 'The scrub stopped on an error; see the server log.'
      if (!signal.aborted) this.#deps.onBackgroundError(error, `scrub ${run.id}`)
    } finally {
      run.finishedAt = isoNow(this.#deps.clock)
    }
  }

  async *#files(): AsyncGenerator<FileRecord> {
    for (const workspace of await this.#deps.metadata.listWorkspaces()) {
      let from: { key: string; inclusive: boolean } | undefined
      for (;;) {
        const page = await this.#deps.metadata.listFiles({
          workspaceId: workspace.id,
          limit: PAGE,
          ...(from ? { from } : {}),
        })
        yield* page
        const last = page.at(-1)
        if (!last || page.length < PAGE) break
        from = { key: last.key, inclusive: false }
      }
    }
  }

  async #check(
    file: FileRecord,
    run: ScrubRun,
    pace: Pace,
    signal: AbortSignal,
  ): Promise<ScrubFinding | undefined> {
    const found = (actualSha256: string | null): ScrubFinding => ({
      workspaceId: file.workspaceId,
      key: file.key,
      blobName: file.blobName,
      problem: actualSha256 === null ? 'blob_missing' : 'checksum_mismatch',
      expectedSha256: file.sha256,
      actualSha256,
    })
    let body: AsyncIterable<Buffer>
    try {
      body = await this.#deps.blobs.read(file.blobName, { signal })
    } catch (error) {
      if (error instanceof AppError && error.code === 'file_not_found') return found(null)
      throw error
    }
    const hash = createHash('sha256')
    for await (const chunk of body) {
      hash.update(chunk)
      run.checkedBytes += chunk.length
      await pace.after(chunk.length)
    }
    const actual = hash.digest('hex')
    return actual === file.sha256 ? undefined : found(actual)
  }
}

/** Keeps the average read rate under a cap by sleeping when ahead of it. */
class Pace {
  readonly #clock: Clock
  readonly #sleep: (ms: number) => Promise<void>
  readonly #bytesPerMs: number
  readonly #start: number
  #bytes = 0

  constructor(clock: Clock, sleep: (ms: number) => Promise<void>, bytesPerSecond: number) {
    this.#clock = clock
    this.#sleep = sleep
    this.#bytesPerMs = bytesPerSecond / 1000
    this.#start = clock.now()
  }

  async after(bytes: number): Promise<void> {
    this.#bytes += bytes
    const ahead = this.#bytes / this.#bytesPerMs - (this.#clock.now() - this.#start)
    if (ahead >= 1) await this.#sleep(ahead)
  }
}

function snapshot(run: ScrubRun): ScrubRun {
  return { ...run, findings: [...run.findings] }
}
