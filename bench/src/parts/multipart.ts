/**
 * Part 2, second half: Granary's multipart session (upload-url with multipart: true, one call
 * signing every part, the parts PUT in parallel, upload-confirm) against the limit receiving the
 * same total bytes in one streamed PUT, as for the large-file flow.
 */
import type { MultipartPhases } from '../client/granary-api.ts'
import type { ChildServer } from '../support/child-server.ts'
import type { Comparison } from '../support/measure.ts'
import { multipartUploads } from '../support/peers.ts'
import { type Spread, spread } from '../support/stats.ts'
import { compareUploads } from './upload.ts'

export interface MultipartRun {
  readonly servers: Readonly<Record<string, ChildServer>>
  readonly size: number
  readonly partSize: number
  /** Parts in flight at once. */
  readonly parallel: number
  readonly rounds: number
  readonly log: (line: string) => void
}

export interface MultipartResult extends Comparison {
  readonly partSizeBytes: number
  readonly partCount: number
  readonly parallel: number
  /** Granary's measured rounds, phase by phase (seconds). */
  readonly phases: Readonly<Record<keyof MultipartPhases, Spread>>
}

export async function compareMultipart(run: MultipartRun): Promise<MultipartResult> {
  const { servers, size, partSize, parallel, rounds, log } = run
  const seen: MultipartPhases[] = []
  const uploads = multipartUploads({ partSize, parallel, onPhases: (p) => seen.push(p) })
  const comparison = await compareUploads({ servers, uploads, size, rounds, log, partSize })
  // The warm-up upload came first; the measured rounds are the last ones.
  const measured = seen.slice(-comparison.rounds)
  const phase = (name: keyof MultipartPhases) => spread(measured.map((p) => p[name]))
  const phases = { open: phase('open'), parts: phase('parts'), confirm: phase('confirm') }
  const partCount = Math.ceil(size / partSize)
  return { ...comparison, partSizeBytes: partSize, partCount, parallel, phases }
}
