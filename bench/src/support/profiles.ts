/** How big and how long each mode runs. */
import { GiB, MiB } from './stats.ts'

export type PartName =
  | 'upload'
  | 'large-file'
  | 'multipart'
  | 'download'
  | 'listing'
  | 'memory'
  | 'concurrency'
export const ALL_PARTS: readonly PartName[] = Object.freeze([
  'upload',
  'large-file',
  'multipart',
  'download',
  'listing',
  'memory',
  'concurrency',
])

export interface Profile {
  readonly mode: 'full' | 'quick' | 'smoke'
  readonly rounds: number
  /** Size of each upload, large-file, multipart and download transfer. */
  readonly transferBytes: number
  /** Part size of the multipart session (the server accepts 5 MiB..5 GiB). */
  readonly partBytes: number
  /** Parts of the multipart session in flight at once. */
  readonly partsInFlight: number
  /** Number of 1 MiB Range reads per download round. */
  readonly rangeReads: number
  /** Files seeded into the metadata store for the listing part. */
  readonly listingFiles: number
  /** In-process calls timed per listing operation. */
  readonly listingCalls: number
  /** Seconds of autocannon per route and round. */
  readonly httpSeconds: number
  readonly memorySizes: readonly number[]
  readonly concurrentClients: number
  readonly concurrentBytes: number
}

export const profiles: Readonly<Record<Profile['mode'], Profile>> = Object.freeze({
  full: {
    mode: 'full',
    rounds: 5,
    transferBytes: GiB,
    partBytes: 64 * MiB,
    partsInFlight: 4,
    rangeReads: 1000,
    listingFiles: 1_000_000,
    listingCalls: 5000,
    httpSeconds: 10,
    memorySizes: [GiB, 4 * GiB, 16 * GiB],
    concurrentClients: 32,
    concurrentBytes: 64 * MiB,
  },
  quick: {
    mode: 'quick',
    rounds: 3,
    transferBytes: 128 * MiB,
    partBytes: 16 * MiB,
    partsInFlight: 4,
    rangeReads: 300,
    listingFiles: 100_000,
    listingCalls: 2000,
    httpSeconds: 4,
    memorySizes: [256 * MiB, GiB],
    concurrentClients: 8,
    concurrentBytes: 16 * MiB,
  },
  smoke: {
    mode: 'smoke',
    rounds: 1,
    // Enough for a multipart session of three parts (5 + 5 + 2 MiB) sent in parallel.
    transferBytes: 12 * MiB,
    partBytes: 5 * MiB,
    partsInFlight: 4,
    rangeReads: 10,
    listingFiles: 2000,
    listingCalls: 100,
    httpSeconds: 1,
    memorySizes: [4 * MiB],
    concurrentClients: 2,
    concurrentBytes: 2 * MiB,
  },
})
