import { ApiError, NetworkError } from './errors.ts'
import type { DownloadOptions } from './file-options.ts'
import type { BodyResponse } from './node-get.ts'
import { ProgressMeter } from './progress-meter.ts'
import { backoffDelay, DEFAULT_RETRY, isTransient, sleep } from './retry.ts'
import type { Transport } from './transport.ts'
import { WriteBehind } from './write-behind.ts'

const MiB = 1024 * 1024
export const PARALLEL_DOWNLOAD_THRESHOLD = 64 * MiB
export const RANGE_SIZE_DEFAULT = 16 * MiB
export const DOWNLOAD_CONNECTIONS_DEFAULT = 4
const WRITE_BATCH = MiB
/** Finished ranges are synced and recorded each time this much has piled up. */
const CHECKPOINT_BYTES = 64 * MiB

export interface RangedDownloadOptions extends DownloadOptions {
  /** The local file to produce. */
  target: string
  /** A fresh signed URL (the first, and again when one expires). */
  signUrl(): Promise<string>
}

/** What is known after the first request: the URL, the file's size and version. */
export interface Probe {
  url: string
  size: number
  etag: string | null
}

/**
 * Opens the download with `Range: bytes=0-`. Answers the response to stream as before when the
 * server ignores Range or the file is small, else a Probe for the parallel path (RFC 9110 §14).
 */
export async function probe(
  transport: Transport,
  options: RangedDownloadOptions,
): Promise<{ response: BodyResponse } | { probe: Probe }> {
  const url = await options.signUrl()
  const response = await transport.get(url, {
    headers: { range: 'bytes=0-' },
    signal: options.signal,
  })
  const size = totalOf(response.headers.get('content-range'))
  const threshold = options.parallelThreshold ?? PARALLEL_DOWNLOAD_THRESHOLD
  if (response.status !== 206 || size === undefined || size < threshold) return { response }
  await response.cancel()
  return { probe: { url, size, etag: response.headers.get('etag') } }
}

/** `bytes 0-99/1234` → 1234, also for an unsatisfied range (`bytes *` then the size; RFC 9110 §14.4). */
export function totalOf(contentRange: string | null): number | undefined {
  const match = /^bytes\s+(?:\d+-\d+|\*)\/(\d+)$/i.exec(contentRange?.trim() ?? '')
  return match ? Number(match[1]) : undefined
}

interface Sidecar {
  size: number
  etag: string | null
  range_size: number
  done: number[]
}

/**
 * Parallel ranged GETs written at their offsets into `<target>.granary-partial`, with a small
 * JSON sidecar of the ranges completed (listed once synced to disk), so a run after a crash
 * fetches only the rest. Synced and renamed into place once the size checks out.
 */
export async function parallelDownload(
  transport: Transport,
  first: Probe,
  options: RangedDownloadOptions,
): Promise<string> {
  const fs = await import('node:fs/promises')
  const partial = `${options.target}.granary-partial`
  const rangeSize = options.rangeSize ?? RANGE_SIZE_DEFAULT
  const state = await loadSidecar(partial, first, rangeSize)
  const meter = new ProgressMeter({ total: first.size, onProgress: options.onProgress })
  const count = Math.ceil(first.size / rangeSize)
  const bounds = (i: number) => [i * rangeSize, Math.min((i + 1) * rangeSize, first.size)] as const
  const done = new Set(state.done)
  for (const i of done) meter.skip(bounds(i)[1] - bounds(i)[0])
  const handle = await fs.open(partial, 'r+')
  const urls = new UrlSource(first.url, options.signUrl)
  const checkpoints = new Checkpoints(handle, `${partial}.json`, state, done)
  try {
    const todo = Array.from({ length: count }, (_, i) => i).filter((i) => !done.has(i))
    const fetchRange = async (i: number) => {
      const [start, end] = bounds(i)
      await withRetry(options.signal, urls, (url) =>
        getRange(transport, { url, start, end, handle, meter, first, signal: options.signal }),
      )
      checkpoints.completed(i, end - start)
    }
    await pool(todo, options.connections ?? DOWNLOAD_CONNECTIONS_DEFAULT, fetchRange).catch(
      async (err: unknown) => {
        // Ranges finished before the failure are kept for the next run.
        await checkpoints.flush().catch(() => {})
        throw err
      },
    )
    // The file is durable before it takes the target's name.
    await checkpoints.flush()
  } finally {
    await handle.close()
  }
  const { size } = await fs.stat(partial)
  if (size !== first.size) throw new Error(`Downloaded ${size} bytes, expected ${first.size}.`)
  await fs.rename(partial, options.target)
  await fs.rm(`${partial}.json`, { force: true })
  return options.target
}

async function loadSidecar(partial: string, first: Probe, rangeSize: number): Promise<Sidecar> {
  const fs = await import('node:fs/promises')
  const fresh: Sidecar = { size: first.size, etag: first.etag, range_size: rangeSize, done: [] }
  const saved = await fs
    .readFile(`${partial}.json`, 'utf8')
    .then((text) => JSON.parse(text) as Sidecar)
    .catch(() => undefined)
  const info = await fs.stat(partial).catch(() => undefined)
  const same =
    saved?.size === first.size &&
    saved.etag === first.etag &&
    saved.range_size === rangeSize &&
    Array.isArray(saved.done) &&
    info?.size === first.size
  if (same) return saved
  // Another version of the file, or no usable state: start over.
  await fs.writeFile(partial, '')
  await fs.truncate(partial, first.size)
  await writeJson(`${partial}.json`, fresh)
  return fresh
}

async function writeJson(path: string, value: unknown): Promise<void> {
  const fs = await import('node:fs/promises')
  // Written aside then renamed: a crash mid-write leaves the previous state, never half a file.
  await fs.writeFile(`${path}.tmp`, JSON.stringify(value))
  await fs.rename(`${path}.tmp`, path)
}

/**
 * The resume record: ranges join the sidecar only after a datasync that covers them, so after a
 * crash every listed range is on disk. One datasync per CHECKPOINT_BYTES of finished ranges
 * (not one per range) and the connections do not wait for it: the disk syncs while they read.
 */
class Checkpoints {
  readonly #handle: import('node:fs/promises').FileHandle
  readonly #path: string
  readonly #state: Sidecar
  readonly #done: Set<number>
  #pending: number[] = []
  #pendingBytes = 0
  #syncing: Promise<void> = Promise.resolve()
  #failure: { error: unknown } | undefined

  constructor(
    handle: import('node:fs/promises').FileHandle,
    path: string,
    state: Sidecar,
    done: Set<number>,
  ) {
    this.#handle = handle
    this.#path = path
    this.#state = state
    this.#done = done
  }

  /** Range `i` is written (not yet synced); a checkpoint starts once enough is pending. */
  completed(i: number, bytes: number): void {
    if (this.#failure) throw this.#failure.error
    this.#pending.push(i)
    this.#pendingBytes += bytes
    if (this.#pendingBytes < CHECKPOINT_BYTES) return
    this.#syncing = this.#checkpoint()
    this.#syncing.catch((error: unknown) => {
      this.#failure ??= { error }
    })
  }

  /** Syncs and records every range completed so far. */
  flush(): Promise<void> {
    this.#syncing = this.#checkpoint()
    return this.#syncing
  }

  #checkpoint(): Promise<void> {
    const ranges = this.#pending
    this.#pending = []
    this.#pendingBytes = 0
    return this.#syncing.then(async () => {
      await this.#handle.datasync()
      if (ranges.length === 0) return
      for (const i of ranges) this.#done.add(i)
      await writeJson(this.#path, { ...this.#state, done: [...this.#done].sort((a, b) => a - b) })
    })
  }
}

interface RangeRequest {
  url: string
  start: number
  end: number
  handle: import('node:fs/promises').FileHandle
  meter: ProgressMeter
  first: Probe
  signal: AbortSignal | undefined
}

async function getRange(transport: Transport, request: RangeRequest): Promise<void> {
  const { start, end, handle, meter } = request
  const response = await transport.getRange(request.url, {
    headers: { range: `bytes=${start}-${end - 1}` },
    signal: request.signal,
  })
  const etag = response.headers.get('etag')
  const range = response.headers.get('content-range') ?? ''
  if (
    response.status !== 206 ||
    !range.includes(`${start}-${end - 1}/`) ||
    etag !== request.first.etag
  ) {
    await response.cancel()
    throw new Error(
      `The file changed on the server during the download (range ${start}-${end - 1}).`,
    )
  }
  let received = start
  let position = start
  // Socket reads go down in batches of about 1 MiB (one writev each), written while the next
  // batch fills.
  const writer = new WriteBehind(async (chunks, bytes) => {
    await handle.writev(chunks, position)
    position += bytes
    meter.add(bytes)
    response.release?.(chunks)
  }, WRITE_BATCH)
  try {
    await response.each((chunk) => {
      const length = Math.min(chunk.byteLength, end - received)
      if (length <= 0) return undefined
      received += length
      return writer.push(length === chunk.byteLength ? chunk : chunk.subarray(0, length))
    })
    await writer.finish()
  } catch (err) {
    // The write under way lands first, so the progress taken back is all of this range's.
    await writer.finish().catch(() => {})
    meter.add(start - position)
    // A body cut mid-way (undici: TypeError 'terminated') is a network failure: try again.
    throw request.signal?.aborted ? err : new NetworkError(request.url, err)
  }
  if (position !== end) {
    meter.add(start - position)
    throw new ApiError({
      status: 502,
      code: 'internal_error',
      message: `Range ${start}-${end - 1} ended early.`,
    })
  }
}

/** One signed URL shared by all connections, signed again once the server refuses it. */
class UrlSource {
  #current: Promise<string>
  readonly #sign: () => Promise<string>

  constructor(url: string, sign: () => Promise<string>) {
    this.#current = Promise.resolve(url)
    this.#sign = sign
  }

  get(): Promise<string> {
    return this.#current
  }

  refresh(refused: string): Promise<string> {
    return this.#current.then((url) => {
      if (url === refused) this.#current = this.#sign()
      return this.#current
    })
  }
}

async function withRetry(
  signal: AbortSignal | undefined,
  urls: UrlSource,
  call: (url: string) => Promise<void>,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    const url = await urls.get()
    try {
      return await call(url)
    } catch (err) {
      if (signal?.aborted || attempt >= DEFAULT_RETRY.retries) throw err
      const refused = err instanceof ApiError && err.status === 403
      if (!refused && !isTransient(err)) throw err
      if (refused) await urls.refresh(url)
      else await sleep(backoffDelay(attempt, DEFAULT_RETRY), signal)
    }
  }
}

/** Runs `task` over `items` with at most `width` at once; the first failure ends the run. */
async function pool<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>) {
  let next = 0
  let failed = false
  const worker = async () => {
    while (!failed && next < items.length) {
      const item = items[next++] as T
      await task(item).catch((err: unknown) => {
        failed = true
        throw err
      })
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker))
}
