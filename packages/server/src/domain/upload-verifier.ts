/**
 * Verifies uploads whose confirm answered 202 (large objects on S3, issue 17): reads the bytes
 * back, hashes them, commits the file. The work is claimed through the upload's row for a while
 * and the claim is renewed as bytes are read, so several processes share the work and a restart
 * (or a crash) only delays it: any process picks up a verifying upload whose claim lapsed, and
 * every process looks for one when it starts. A SHA-256 state cannot be saved, so a resumed
 * verification reads from byte 0; `verifiedBytes` shows how far the current attempt got.
 */
import type { Clock } from './clock.ts'
import type { MetadataStore, Upload } from './ports.ts'

export interface VerifierOptions {
  metadata: MetadataStore
  /** The check and commit (LargeUploadService.verify); throws what should be retried. */
  verify(upload: Upload, onProgress: (bytes: number) => void): Promise<void>
  clock: Clock
  /** Verifications run at once in this process; 0 leaves them to other processes. */
  concurrency: number
  /** How long a claim holds without progress before another process may take over. */
  claimMs: number
  /** How often an idle process looks for work (a lapsed claim, another process's confirm). */
  pollMs: number
  onError(error: unknown, context: string): void
}

/** Progress is written at most this often, and the claim renewed with it. */
const PROGRESS_EVERY_MS = 1000

export class UploadVerifier {
  readonly #options: VerifierOptions
  #running = 0
  #timer: NodeJS.Timeout | undefined
  #stopped = true
  readonly #active = new Set<Promise<void>>()

  constructor(options: VerifierOptions) {
    this.#options = options
  }

  /** Looks for work now (resuming what a stopped process left) and then every `pollMs`. */
  start(): void {
    if (this.#options.concurrency <= 0) return
    this.#stopped = false
    this.wake()
    this.#timer = setInterval(() => this.wake(), this.#options.pollMs)
    this.#timer.unref()
  }

  /** A confirm left an upload verifying. */
  wake(): void {
    if (this.#stopped) return
    while (this.#running < this.#options.concurrency) {
      this.#running++
      const worker = this.#drain().finally(() => {
        this.#running--
        this.#active.delete(worker)
      })
      this.#active.add(worker)
    }
  }

  /** Stops claiming; the verifications under way end (their claims lapse if the process ends). */
  async stop(): Promise<void> {
    this.#stopped = true
    clearInterval(this.#timer)
    await Promise.allSettled([...this.#active])
  }

  /** Verifies claimed uploads one after another until none is left. */
  async #drain(): Promise<void> {
    const { metadata, clock, claimMs } = this.#options
    while (!this.#stopped) {
      let upload: Upload | undefined
      try {
        upload = await metadata.claimVerification(iso(clock.now()), iso(clock.now() + claimMs))
      } catch (error) {
        this.#options.onError(error, 'claiming an upload to verify')
        return
      }
      if (!upload) return
      await this.#verifyOne(upload)
    }
  }

  async #verifyOne(upload: Upload): Promise<void> {
    const { metadata, clock, claimMs } = this.#options
    let lastWrite = clock.now()
    let writing: Promise<void> = Promise.resolve()
    const onProgress = (bytes: number) => {
      const now = clock.now()
      if (now - lastWrite < PROGRESS_EVERY_MS) return
      lastWrite = now
      writing = writing
        .then(() => metadata.recordVerification(upload.id, bytes, iso(now + claimMs)))
        .catch((error: unknown) => this.#options.onError(error, 'recording verification progress'))
    }
    try {
      await this.#options.verify(upload, onProgress)
    } catch (error) {
      this.#options.onError(error, `verifying upload ${upload.id}`)
      // Tried again once the claim lapses: by this process's next poll or another's.
      await metadata
        .releaseVerification(upload.id, iso(clock.now() + this.#options.pollMs))
        .catch(() => {})
    } finally {
      await writing
    }
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString()
}
