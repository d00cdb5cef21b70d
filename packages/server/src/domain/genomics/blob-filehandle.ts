import type { FilehandleOptions, GenericFilehandle, Stats } from 'generic-filehandle2'
import type { BlobStore } from '../ports.ts'
import type { ReadMeter } from './read-meter.ts'

/** Where a blob's bytes are, and who counts what is read from it. */
export interface BlobSource {
  readonly blobs: BlobStore
  readonly blobName: string
  readonly size: number
  readonly meter: ReadMeter
}

/**
 * The filehandle interface the @gmod readers (tabix, bam, cram, indexedfasta) read through,
 * over ranged reads of one immutable blob: every read is one `BlobStore.read({ range })`, so the
 * libraries fetch only what their index points at, on every backend.
 */
export class BlobFilehandle implements GenericFilehandle {
  readonly #source: BlobSource

  constructor(source: BlobSource) {
    this.#source = source
  }

  async read(
    length: number,
    position: number,
    opts: FilehandleOptions = {},
  ): Promise<Uint8Array<ArrayBuffer>> {
    const end = Math.min(position + length, this.#source.size)
    if (length <= 0 || position >= end) return new Uint8Array(0)
    const chunks = readRange(this.#source, { start: position, end: end - 1 }, opts.signal)
    return collect(chunks, end - position)
  }

  readFile(options?: Omit<FilehandleOptions, 'encoding'>): Promise<Uint8Array<ArrayBuffer>>
  readFile(
    options: BufferEncoding | (Omit<FilehandleOptions, 'encoding'> & { encoding: BufferEncoding }),
  ): Promise<string>
  async readFile(
    options?: BufferEncoding | FilehandleOptions,
  ): Promise<Uint8Array<ArrayBuffer> | string> {
    const opts = typeof options === 'string' ? { encoding: options } : (options ?? {})
    const bytes = await this.read(this.#source.size, 0, opts)
    return opts.encoding ? Buffer.from(bytes).toString(opts.encoding) : bytes
  }

  async stat(): Promise<Stats> {
    return { size: this.#source.size }
  }

  async close(): Promise<void> {}
}

type BufferEncoding = NonNullable<FilehandleOptions['encoding']>

/**
 * One ranged read (inclusive end), metered as its bytes arrive. Leaving the loop early destroys
 * the store's stream, so a query that stops mid-chunk stops reading.
 */
export async function* readRange(
  source: BlobSource,
  range: { start: number; end: number },
  signal?: AbortSignal,
): AsyncGenerator<Buffer> {
  source.meter.countRead()
  const stream = await source.blobs.read(source.blobName, { range, ...(signal ? { signal } : {}) })
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      source.meter.add(chunk.length)
      yield chunk
    }
  } finally {
    stream.destroy()
  }
}

async function collect(
  chunks: AsyncIterable<Buffer>,
  expected: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const out = new Uint8Array(new ArrayBuffer(expected))
  let at = 0
  for await (const chunk of chunks) {
    out.set(chunk.subarray(0, expected - at), at)
    at += chunk.length
  }
  return at >= expected ? out : out.slice(0, at)
}
