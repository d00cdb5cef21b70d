import { createHash } from 'node:crypto'
import { Transform, type TransformCallback } from 'node:stream'

/**
 * The last stage of a part's body on its way to UploadPart: computes the MD5 the store's ETag is
 * compared with, and holds the latest chunk back until the body has ended. UploadPart carries a
 * Content-Length, so the store completes the part as soon as that many bytes arrived; without the
 * hold-back a body one chunk too long could be stored from its first `size` bytes before the
 * size check upstream (MeteredBody) saw the extra chunk and failed.
 */
export class PartBody extends Transform {
  readonly #md5 = createHash('md5')
  #held: Buffer | undefined
  #digest: string | undefined

  /** Hex MD5 of the bytes that went through; read after the body ended. */
  get md5(): string {
    this.#digest ??= this.#md5.digest('hex')
    return this.#digest
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.#md5.update(chunk)
    const previous = this.#held
    this.#held = chunk
    done(null, previous)
  }

  override _flush(done: TransformCallback): void {
    done(null, this.#held)
  }
}
