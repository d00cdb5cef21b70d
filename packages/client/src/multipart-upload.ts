import type { FileInfo, MultipartUploadResponse, UploadSession } from '@granary/protocol'
import { confirmUpload } from './confirm-wait.ts'
import { ApiError } from './errors.ts'
import type { Progress, SessionStarted } from './file-options.ts'
import { PartUrlRefused, sendPart } from './part-put.ts'
import { PartUrls } from './part-urls.ts'
import { ProgressMeter } from './progress-meter.ts'
import { backoffDelay, DEFAULT_RETRY, isTransient, type RetryPolicy, sleep } from './retry.ts'
import { type PartDigests, sequentialDigest } from './sequential-digest.ts'
import type { Transport } from './transport.ts'
import { SIGN_BATCH_MAX, type Uploads } from './upload-sessions.ts'
import type { ResolvedSource } from './upload-source.ts'

export const DEFAULT_CONCURRENCY = 4
const SIGN_BATCH = 100

export interface MultipartRun {
  readonly transport: Transport
  readonly uploads: Uploads
  readonly workspaceId: string
  readonly source: ResolvedSource & { size: number }
  readonly concurrency?: number | undefined
  readonly partUrlExpiresIn?: number | undefined
  readonly checksum?: boolean | undefined
  readonly retry?: Partial<RetryPolicy> | undefined
  readonly onProgress?: ((progress: Progress) => void) | undefined
  readonly onSession?: ((session: SessionStarted) => void | Promise<void>) | undefined
  readonly signal?: AbortSignal | undefined
}

/** What a session looks like to the sender: its layout and the parts already stored. */
interface Layout {
  uploadId: string
  fileKey: string
  partSize: number
  partCount: number
  present: Map<number, PartDigests>
}

/** Sends every part of a session just opened by upload-url, then confirms it. */
export function multipartUpload(
  run: MultipartRun,
  answer: MultipartUploadResponse,
): Promise<FileInfo> {
  const { uploadId, fileKey, partSize, partCount } = answer
  return sendAndConfirm(run, { uploadId, fileKey, partSize, partCount, present: new Map() })
}

/**
 * Continues a session: asks the server which parts it holds and sends only the others. A session
 * confirmed already (or being verified) is confirmed again (same answer); one that ended is
 * `upload_not_found`.
 */
export async function resumeMultipart(run: MultipartRun, uploadId: string): Promise<FileInfo> {
  const session = await run.uploads.get(uploadId, {
    workspaceId: run.workspaceId,
    signal: run.signal,
  })
  const layout = layoutOf(session, run.source.size)
  // Confirmed before the interruption: confirming again answers the file (waiting out a
  // verification still under way).
  if (session.status === 'completed' || session.status === 'verifying') {
    return confirm(run, layout, undefined)
  }
  return sendAndConfirm(run, layout)
}

function layoutOf(session: UploadSession, size: number): Layout {
  const open = session.status === 'pending' || session.status === 'received'
  if (
    !session.multipart ||
    !session.part_size ||
    !session.part_count ||
    !(open || session.status === 'completed' || session.status === 'verifying')
  ) {
    throw new ApiError({
      status: 404,
      code: 'upload_not_found',
      message: `Upload ${session.upload_id} is ${session.status}${session.multipart ? '' : ' and not multipart'}: start a new upload.`,
    })
  }
  if (session.size !== size) {
    throw new ApiError({
      status: 422,
      code: 'size_mismatch',
      message: `Upload ${session.upload_id} is for ${session.size} bytes; the local file has ${size}: start a new upload.`,
    })
  }
  const partSize = session.part_size
  const expected = (n: number) => Math.min(partSize, size - (n - 1) * partSize)
  const present = new Map<number, PartDigests>()
  for (const part of session.parts ?? []) {
    if (part.size === expected(part.part_number)) present.set(part.part_number, part)
  }
  return {
    uploadId: session.upload_id,
    fileKey: session.file_key,
    partSize,
    partCount: session.part_count,
    present,
  }
}

async function sendAndConfirm(run: MultipartRun, layout: Layout): Promise<FileInfo> {
  const controller = new AbortController()
  const stop = () => controller.abort(run.signal?.reason)
  run.signal?.addEventListener('abort', stop, { once: true })
  const signal = controller.signal
  try {
    await run.onSession?.({ ...withoutPresent(layout), presentParts: layout.present.size })
    const meter = new ProgressMeter({ total: run.source.size, onProgress: run.onProgress })
    const sizeOf = (n: number) =>
      Math.min(layout.partSize, run.source.size - (n - 1) * layout.partSize)
    meter.skip(sum([...layout.present.keys()].map(sizeOf)))
    const digest =
      run.checksum === false ? undefined : sequentialDigest(run.source, { ...layout, signal })
    // A failed hash pass must not go unhandled while the parts are still being sent.
    digest?.catch((err: unknown) => controller.abort(err))
    const missing = range(1, layout.partCount).filter((n) => !layout.present.has(n))
    await sendParts(run, layout, { numbers: missing, meter, signal, sizeOf })
    const digested = await digest
    // Parts found on the server that differ from the local file (changed, or stored wrong).
    const stale = digested?.mismatched ?? []
    meter.skip(-sum(stale.map(sizeOf)))
    await sendParts(run, layout, { numbers: stale, meter, signal, sizeOf })
    signal.throwIfAborted()
    return await confirmFillingGaps(run, layout, digested?.sha256, { meter, signal, sizeOf })
  } catch (err) {
    controller.abort(err)
    throw err
  } finally {
    run.signal?.removeEventListener('abort', stop)
  }
}

function withoutPresent({ present: _, ...rest }: Layout) {
  return rest
}

interface SendState {
  meter: ProgressMeter
  signal: AbortSignal
  sizeOf: (n: number) => number
}

/** Parts in ascending order through `concurrency` workers; the first hard failure stops all. */
async function sendParts(
  run: MultipartRun,
  layout: Layout,
  state: SendState & { numbers: readonly number[] },
): Promise<void> {
  const queue = state.numbers
  let next = 0
  const urls = new PartUrls({
    sign: (numbers) =>
      run.uploads.signParts(layout.uploadId, numbers, {
        workspaceId: run.workspaceId,
        expiresIn: run.partUrlExpiresIn,
        signal: state.signal,
      }),
    upcoming: () => queue.slice(next, next + SIGN_BATCH),
    batchSize: Math.min(SIGN_BATCH, SIGN_BATCH_MAX),
  })
  const worker = async () => {
    while (next < queue.length) {
      state.signal.throwIfAborted()
      const n = queue[next++] as number
      await sendWithRetry(run, layout, urls, n, state)
    }
  }
  const workers = Math.max(1, Math.min(run.concurrency ?? DEFAULT_CONCURRENCY, queue.length))
  await Promise.all(Array.from({ length: queue.length ? workers : 0 }, worker))
}

async function sendWithRetry(
  run: MultipartRun,
  layout: Layout,
  urls: PartUrls,
  n: number,
  state: SendState,
): Promise<void> {
  const policy = { ...DEFAULT_RETRY, ...run.retry }
  let fresh = false
  for (let attempt = 0; ; attempt++) {
    try {
      const part = await urls.get(n, { fresh })
      const offset = (n - 1) * layout.partSize
      await sendPart(run.transport, part, run.source, {
        offset,
        meter: state.meter,
        signal: state.signal,
        // checksum: false also skips the per-part check (S3 with SSE-KMS: ETags are not MD5s).
        verify: run.checksum !== false,
      })
      urls.done(n)
      return
    } catch (err) {
      if (state.signal.aborted) throw err
      fresh = err instanceof PartUrlRefused
      if (attempt >= policy.retries || !(fresh || isTransient(err))) throw err
      // A refused URL is signed again at once; anything else waits, longer each time.
      // A 429/503 says how long to wait (Retry-After); wait at least that.
      const asked = err instanceof ApiError ? (err.retryAfterMs ?? 0) : 0
      if (!fresh) await sleep(Math.max(backoffDelay(attempt, policy), asked), state.signal)
    }
  }
}

/** Confirms; if the server still lacks parts (`details.missing_parts`), sends them once more. */
async function confirmFillingGaps(
  run: MultipartRun,
  layout: Layout,
  sha256: string | undefined,
  state: SendState,
): Promise<FileInfo> {
  try {
    return await confirm(run, layout, sha256)
  } catch (err) {
    const missing = missingParts(err)
    if (!missing) throw err
    await sendParts(run, layout, { ...state, numbers: missing })
    return confirm(run, layout, sha256)
  }
}

function missingParts(err: unknown): number[] | undefined {
  if (!(err instanceof ApiError) || err.code !== 'upload_not_received') return undefined
  const missing = err.details?.missing_parts
  if (!Array.isArray(missing) || missing.length === 0) return undefined
  return missing.filter((n): n is number => Number.isInteger(n))
}

function confirm(run: MultipartRun, layout: Layout, sha256: string | undefined): Promise<FileInfo> {
  const json = {
    file_key: layout.fileKey,
    workspace_id: run.workspaceId,
    filename: run.source.filename,
    size: run.source.size,
    upload_id: layout.uploadId,
    ...(sha256 ? { sha256 } : {}),
  }
  return confirmUpload(run.transport, json, run.signal)
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from + 1) }, (_, i) => from + i)
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0)
}
