import type { Progress } from './file-options.ts'

const WINDOW_MS = 5000

/**
 * Turns byte counts into progress with throughput and ETA. The rate is measured over the last
 * few seconds of bytes actually moved in this run, so bytes a resumed transfer found already
 * there count towards `loaded` but not towards the speed.
 */
export class ProgressMeter {
  readonly #total: number | undefined
  readonly #onProgress: ((progress: Progress) => void) | undefined
  readonly #now: () => number
  readonly #samples: Array<{ at: number; moved: number }> = []
  #moved = 0
  #base: number

  constructor(options: {
    total: number | undefined
    onProgress: ((progress: Progress) => void) | undefined
    now?: () => number
  }) {
    this.#total = options.total
    this.#onProgress = options.onProgress
    this.#now = options.now ?? Date.now
    this.#base = 0
    this.#samples.push({ at: this.#now(), moved: 0 })
  }

  /** Bytes found in place (resume): loaded, but not moved now. */
  skip(bytes: number): void {
    this.#base += bytes
    this.#emit()
  }

  /** Bytes moved (negative: an attempt that failed and will be sent again). */
  add(bytes: number): void {
    this.#moved += bytes
    this.#emit()
  }

  get loaded(): number {
    return this.#base + this.#moved
  }

  #emit(): void {
    if (!this.#onProgress) return
    const at = this.#now()
    this.#samples.push({ at, moved: this.#moved })
    while (this.#samples.length > 2 && at - (this.#samples[1]?.at ?? at) >= WINDOW_MS) {
      this.#samples.shift()
    }
    const first = this.#samples[0] ?? { at, moved: 0 }
    const seconds = (at - first.at) / 1000
    const bytesPerSecond = seconds > 0 ? Math.max(0, (this.#moved - first.moved) / seconds) : 0
    const left = this.#total === undefined ? undefined : this.#total - this.loaded
    const etaSeconds =
      left === undefined || bytesPerSecond === 0 ? undefined : Math.max(0, left / bytesPerSecond)
    this.#onProgress({ loaded: this.loaded, total: this.#total, bytesPerSecond, etaSeconds })
  }
}
