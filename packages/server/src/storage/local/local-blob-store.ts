import {
  type FileHandle,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  rm,
  rmdir,
  unlink,
} from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { crashPoint } from '../../crash-points.ts'
import { AppError, isAppError } from '../../domain/errors.ts'
import { randomId } from '../../domain/ids.ts'
import type {
  BlobListing,
  BlobStore,
  ByteRange,
  IoOptions,
  MultipartSession,
  OpenStoredBlob,
  PutBlobOptions,
  StoredBlob,
  StoredPart,
} from '../../domain/ports.ts'
import { bodyEndedEarly, MeteredBody } from '../metered-body.ts'
import { sha256OfStream, stagedSizeMismatch } from '../staged-blob.ts'
import { DurableFile } from './durable-file.ts'
import { READ_CHUNK } from './io-sizes.ts'
import { LocalMultipart } from './local-multipart.ts'
import { assertNoLinks, openNoFollow } from './no-follow.ts'

const UNAVAILABLE = new Set([
  'ENOSPC',
  'EIO',
  'EROFS',
  'EACCES',
  'EPERM',
  'EDQUOT',
  'EMFILE',
  'ENFILE',
])

/**
 * Blobs as files under `<root>/blobs/<name>`. Each is written to `<root>/tmp`, fsynced, linked
 * into place (link, unlike rename, refuses to replace an existing blob) and its directory fsynced,
 * so a crash leaves the whole blob or none of it. No operation follows a symbolic link below
 * `blobs/` (`no-follow.ts`).
 */
export class LocalBlobStore implements BlobStore {
  readonly #blobs: string
  readonly #tmp: string
  readonly #multipart: LocalMultipart

  private constructor(root: string) {
    this.#blobs = join(root, 'blobs')
    this.#tmp = join(root, 'tmp')
    this.#multipart = new LocalMultipart(root, (file, name) =>
      this.#linkIntoPlace(file, this.#path(name)),
    )
  }

  /** Creates the folders and removes temp files a crash left behind. */
  static async open(root: string): Promise<LocalBlobStore> {
    const store = new LocalBlobStore(root)
    await rm(store.#tmp, { recursive: true, force: true })
    await mkdir(store.#tmp, { recursive: true })
    await mkdir(store.#blobs, { recursive: true })
    return store
  }

  async put(name: string, body: Readable, options: PutBlobOptions = {}): Promise<StoredBlob> {
    const temp = join(this.#tmp, randomId())
    const meter = new MeteredBody(options)
    try {
      await this.#writeDurably(temp, body, meter, options.signal)
      crashPoint('blob.written')
      await this.#linkIntoPlace(temp, this.#path(name))
      crashPoint('blob.linked')
      return { size: meter.byteCount, sha256: meter.sha256 }
    } catch (error) {
      throw translate(error, meter.byteCount)
    } finally {
      await unlink(temp).catch(() => {})
    }
  }

  /** DurableFile fsyncs before it finishes, so the bytes are on disk before we link them. */
  async #writeDurably(temp: string, body: Readable, meter: MeteredBody, signal?: AbortSignal) {
    const sink = new DurableFile(temp, { flags: 'wx', mode: 0o640 })
    try {
      await pipeline(body, meter, sink, signal ? { signal } : {})
    } catch (error) {
      // The pipeline fails as soon as the body does, possibly before the sink has even opened
      // the temp file: wait until it is closed, or unlinking could run before the file exists.
      if (!sink.closed) await new Promise<void>((resolve) => sink.once('close', () => resolve()))
      throw error
    }
  }

  async #linkIntoPlace(temp: string, target: string): Promise<void> {
    const folder = dirname(target)
    // mkdir and link would follow a linked folder out of the store.
    await assertNoLinks(this.#blobs, target)
    const firstCreated = await mkdir(folder, { recursive: true })
    try {
      await link(temp, target)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
        throw new AppError('upload_already_received', 'These bytes were already received.')
      }
      throw error
    }
    // fsync every directory whose entries changed: the blob's and each one mkdir created.
    const top = firstCreated ? dirname(firstCreated) : folder
    for (let dir = folder; ; dir = dirname(dir)) {
      await syncDirectory(dir)
      if (dir === top || dir === this.#blobs) break
    }
  }

  createMultipart(blobName: string, options: { size: number; partSize: number }): Promise<string> {
    return this.#translated(() => this.#multipart.create(blobName, options))
  }

  putPart(
    session: MultipartSession,
    partNumber: number,
    body: Readable,
    options: { size: number },
  ): Promise<StoredPart> {
    return this.#translated(() => this.#multipart.putPart(session, partNumber, body, options.size))
  }

  listParts(session: MultipartSession): Promise<StoredPart[]> {
    return this.#translated(() => this.#multipart.listParts(session))
  }

  completeMultipart(session: MultipartSession, parts: readonly StoredPart[]): Promise<StoredBlob> {
    return this.#translated(() => this.#multipart.complete(session, parts))
  }

  abortMultipart(session: MultipartSession): Promise<void> {
    return this.#translated(() => this.#multipart.abort(session))
  }

  async #translated<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw translate(error, 0)
    }
  }

  async stat(name: string): Promise<StoredBlob | undefined> {
    try {
      const path = this.#path(name)
      await assertNoLinks(this.#blobs, path)
      const info = await lstat(path)
      return { size: info.size, sha256: null }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw translate(error)
    }
  }

  async read(name: string, options: IoOptions & { range?: ByteRange } = {}): Promise<Readable> {
    try {
      const file = await openNoFollow(this.#blobs, this.#path(name))
      const range = options.range
      const bounds = range ? { start: range.start, end: range.end } : {}
      return file.createReadStream({ ...bounds, highWaterMark: READ_CHUNK })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new AppError('file_not_found', 'The file no longer exists.')
      }
      throw translate(error)
    }
  }

  async open(name: string): Promise<OpenStoredBlob | undefined> {
    let file: FileHandle
    try {
      file = await openNoFollow(this.#blobs, this.#path(name))
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw translate(error)
    }
    try {
      const { size } = await file.stat()
      return {
        size,
        read: (range) => file.createReadStream({ ...range, highWaterMark: READ_CHUNK }),
        close: () => file.close(),
      }
    } catch (error) {
      await file.close()
      throw translate(error)
    }
  }

  /** Local upload URLs write through Granary into the blob itself; this serves the contract. */
  async adopt(
    staged: string,
    name: string,
    options: { exactSize: number },
  ): Promise<StoredBlob | undefined> {
    const found = await this.stat(staged)
    if (!found) return undefined
    if (found.size !== options.exactSize) {
      await this.delete(staged)
      throw stagedSizeMismatch(found.size, options.exactSize)
    }
    const sha256 = await sha256OfStream(await this.read(staged))
    await this.#translated(() => this.#linkIntoPlace(this.#path(staged), this.#path(name)))
    await this.delete(staged)
    return { size: found.size, sha256 }
  }

  /** Removes the blob and the folders it leaves empty. */
  async delete(name: string): Promise<void> {
    const target = this.#path(name)
    try {
      await assertNoLinks(this.#blobs, target)
      await unlink(target)
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return
      throw translate(error)
    }
    for (let dir = dirname(target); dir !== this.#blobs; dir = dirname(dir)) {
      if (
        !(await rmdir(dir).then(
          () => true,
          () => false,
        ))
      )
        break
    }
  }

  async *listBlobs(): AsyncIterable<BlobListing> {
    for await (const path of walk(this.#blobs)) {
      const info = await lstat(path).catch(() => undefined)
      if (info) yield { name: relative(this.#blobs, path), size: info.size, modifiedAt: info.mtime }
    }
  }

  async check(): Promise<void> {
    const probe = join(this.#tmp, `probe-${randomId()}`)
    try {
      const file = await open(probe, 'wx')
      await file.close()
      await unlink(probe)
      await readdir(this.#blobs)
    } catch (error) {
      throw translate(error)
    }
  }

  async close(): Promise<void> {}

  /** Blob names are validated keys under validated workspace ids; stay inside the root anyway. */
  #path(name: string): string {
    const path = join(this.#blobs, name)
    if (relative(this.#blobs, path).startsWith(`..${sep}`) || path === this.#blobs) {
      throw new AppError('invalid_key', `Blob name '${name}' leaves the store.`)
    }
    return path
  }
}

/** Every file under `dir`, depth first. */
async function* walk(dir: string): AsyncGenerator<string> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => [])
  for (const entry of entries) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) yield* walk(path)
    else if (entry.isFile()) yield path
  }
}

async function syncDirectory(path: string): Promise<void> {
  const dir = await open(path, 'r')
  try {
    await dir.sync()
  } finally {
    await dir.close()
  }
}

/** `received`: bytes read from a body being stored, when the error happened during a put. */
function translate(error: unknown, received?: number): unknown {
  if (isAppError(error)) return error
  const code = (error as NodeJS.ErrnoException).code
  if (code && UNAVAILABLE.has(code)) {
    return new AppError(
      'storage_unavailable',
      `The blob store cannot be written (${code}); retry later.`,
      {
        cause: error,
      },
    )
  }
  // The client went away mid-body: nothing was kept.
  if (received !== undefined && (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET')) {
    return bodyEndedEarly(received)
  }
  return error
}
