import type { Progress } from '@granary/client'
import { SingleBar } from 'cli-progress'
import type { Output } from './context.ts'
import { humanSize, shortDuration } from './format.ts'

/** Receives transfer progress; `stop()` ends the display. */
export interface ProgressDisplay {
  update(progress: Progress): void
  stop(): void
}

const SILENT: ProgressDisplay = { update: () => {}, stop: () => {} }

/**
 * A progress bar on `stream` with bytes, throughput and ETA; silent when `stream` is not a
 * terminal, so pipes, logs and CI output stay clean.
 */
export function progressBar(stream: Output, label: string): ProgressDisplay {
  if (!stream.isTTY) return SILENT
  const started = Date.now()
  let bar: SingleBar | undefined
  return {
    update(progress) {
      const { loaded, total } = progress
      const seconds = Math.max((Date.now() - started) / 1000, 0.001)
      const payload = transferPayload(label, loaded, total, seconds, progress)
      if (!bar) {
        bar = new SingleBar({
          format: total === undefined ? UNSIZED_FORMAT : SIZED_FORMAT,
          stream: stream as unknown as NodeJS.WritableStream,
          hideCursor: true,
          barsize: 24,
        })
        bar.start(total ?? 1, 0, payload)
      }
      bar.update(total === undefined ? 0 : loaded, payload)
    },
    stop: () => bar?.stop(),
  }
}

const SIZED_FORMAT = '{label} [{bar}] {percentage}% | {done}/{size} | {speed} | ETA {remaining}'
const UNSIZED_FORMAT = '{label} {done} | {speed}'

/**
 * The bar's text fields. Rate and ETA come from the client when it measures them (recent bytes
 * actually sent, so a resumed upload's bytes found in place do not inflate them), else from the
 * average rate so far (steadier than cli-progress's).
 */
export function transferPayload(
  label: string,
  loaded: number,
  total: number | undefined,
  seconds: number,
  measured: Pick<Progress, 'bytesPerSecond' | 'etaSeconds'> = {},
): Record<string, string> {
  const rate = measured.bytesPerSecond ?? loaded / seconds
  const eta =
    measured.bytesPerSecond !== undefined
      ? measured.etaSeconds
      : total === undefined || rate === 0
        ? undefined
        : (total - loaded) / rate
  const remaining = eta === undefined ? '-' : shortDuration(eta)
  return {
    label,
    done: humanSize(loaded),
    size: total === undefined ? '?' : humanSize(total),
    speed: `${humanSize(rate)}/s`,
    remaining,
  }
}
