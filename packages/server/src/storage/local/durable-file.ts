/**
 * A file sink that is on disk when it finishes: every byte written, then fsynced, before
 * `finish`. Unlike `fs.createWriteStream(..., { flush: true })` it asks the kernel to start
 * writing back while the body still streams (an fdatasync in the background every SYNC_EVERY
 * bytes, one at a time), so the last fsync only waits for the tail: on this machine's disk that
 * wait was ~0.1 s per 128 MiB, a quarter of a form upload's time.
 */
import type { FileHandle } from 'node:fs/promises'
import { open } from 'node:fs/promises'
import { Writable } from 'node:stream'
import { WRITE_BUFFER } from './io-sizes.ts'

const SYNC_EVERY = 16 * 1024 * 1024

export interface DurableFileOptions {
  /** `wx` for a new file, `r+` to write into an existing one at `start`. */
  readonly flags: 'wx' | 'r+'
  readonly mode?: number
  readonly start?: number
}

export class DurableFile extends Writable {
  readonly #path: string
  readonly #options: DurableFileOptions
  #file: FileHandle | undefined
  #written = 0
  #syncedUpTo = 0
  #backgroundSync: Promise<void> | undefined
  /** A failed background fdatasync: the kernel may forget it, so it must fail the file. */
  #syncError: unknown

  constructor(path: string, options: DurableFileOptions) {
    // Chunks queued while a write is under way go to disk in one writev.
    super({ highWaterMark: WRITE_BUFFER })
    this.#path = path
    this.#options = options
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.#path, this.#options.flags, this.#options.mode ?? 0o640).then((file) => {
      this.#file = file
      callback()
    }, callback)
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (e?: Error) => void): void {
    this.#writeAll([chunk]).then(() => callback(), callback)
  }

  override _writev(
    chunks: Array<{ chunk: Buffer }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.#writeAll(chunks.map((entry) => entry.chunk)).then(() => callback(), callback)
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#finish().then(() => callback(), callback)
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const file = this.#file
    this.#file = undefined
    Promise.resolve(this.#backgroundSync)
      .then(() => file?.close())
      .then(
        () => callback(error),
        (closeError: Error) => callback(error ?? closeError),
      )
  }

  async #writeAll(buffers: Buffer[]): Promise<void> {
    const file = this.#fileHandle()
    let pending = buffers
    while (pending.length > 0) {
      const position = (this.#options.start ?? 0) + this.#written
      const { bytesWritten } = await file.writev(pending, position)
      this.#written += bytesWritten
      pending = rest(pending, bytesWritten)
    }
    if (this.#written - this.#syncedUpTo >= SYNC_EVERY && !this.#backgroundSync) {
      this.#syncedUpTo = this.#written
      this.#backgroundSync = file
        .datasync()
        .catch((error: unknown) => {
          this.#syncError ??= error
        })
        .finally(() => {
          this.#backgroundSync = undefined
        })
    }
  }

  async #finish(): Promise<void> {
    await this.#backgroundSync
    if (this.#syncError) throw this.#syncError
    await this.#fileHandle().sync()
  }

  #fileHandle(): FileHandle {
    if (!this.#file) throw new Error(`${this.#path} is not open`)
    return this.#file
  }
}

/** What is left of `buffers` once `bytes` of them were written. */
function rest(buffers: Buffer[], bytes: number): Buffer[] {
  let skip = bytes
  const left: Buffer[] = []
  for (const buffer of buffers) {
    if (skip >= buffer.length) {
      skip -= buffer.length
      continue
    }
    left.push(skip > 0 ? buffer.subarray(skip) : buffer)
    skip = 0
  }
  return left
}
