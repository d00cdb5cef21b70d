import { createHash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'
import { AppError } from '../domain/errors.ts'
import type { PutBlobOptions } from '../domain/ports.ts'

/**
 * A pass-through that computes the SHA-256 and enforces the size limits while the bytes stream,
 * so no store ever keeps an oversized or short body. Read `sha256` and `size` after it finished.
 */
export class MeteredBody extends Transform {
  readonly #hash = createHash('sha256')
  readonly #limits: PutBlobOptions
  #size = 0
  #digest: string | undefined

  constructor(limits: PutBlobOptions) {
    super()
    this.#limits = limits
  }

  /** Bytes passed so far (not `size`: lib-storage would take that for the total length). */
  get byteCount(): number {
    return this.#size
  }

  get sha256(): string {
    this.#digest ??= this.#hash.digest('hex')
    return this.#digest
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#size += chunk.length
    const limit = this.#limits.exactSize ?? this.#limits.maxSize
    if (limit !== undefined && this.#size > limit) {
      done(
        new AppError(
          'upload_too_large',
          this.#limits.tooLargeMessage ?? `The body exceeds ${limit} bytes.`,
        ),
      )
      return
    }
    this.#hash.update(chunk)
    done(null, chunk)
  }

  override _flush(done: TransformCallback): void {
    const exact = this.#limits.exactSize
    if (exact !== undefined && this.#size < exact) {
      done(bodyEndedEarly(this.#size, exact))
      return
    }
    done()
  }
}

export function bodyEndedEarly(received: number, expected?: number): AppError {
  const of = expected === undefined ? '' : ` of the ${expected} declared`
  return new AppError(
    'upload_incomplete',
    `The body ended after ${received} bytes${of}; send it again.`,
  )
}
