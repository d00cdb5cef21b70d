import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../domain/clock.ts'
import { AppError } from '../../domain/errors.ts'

/**
 * HMAC-SHA-256 signatures for the URLs Granary serves itself (the local backend). The signed
 * string binds the method, the target (a blob or an upload), every parameter that shapes the
 * answer, and the expiry, so a URL cannot be re-targeted, extended or re-used for another method.
 */
export class UrlSigner {
  readonly #secret: Buffer
  readonly #clock: Clock

  constructor(secret: string, clock: Clock) {
    this.#secret = Buffer.from(secret, 'utf8')
    this.#clock = clock
  }

  /** The expiry (Unix seconds) of a URL signed now and valid for `expiresIn` seconds. */
  expiryFor(expiresIn: number): number {
    return Math.floor(this.#clock.now() / 1000) + expiresIn
  }

  sign(parts: readonly string[]): string {
    // A newline cannot occur in any part (keys reject control characters), so joining is unambiguous.
    return createHmac('sha256', this.#secret).update(parts.join('\n')).digest('base64url')
  }

  /** Throws invalid_signature or url_expired; compares in constant time. */
  verify(parts: readonly string[], signature: string, expiresAtSeconds: number): void {
    // Compare the text, not decoded bytes: base64url's padding bits would let altered strings pass.
    const expected = Buffer.from(this.sign(parts))
    const given = Buffer.from(signature)
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw new AppError(
        'invalid_signature',
        'The URL signature is not valid; ask Granary for a new URL.',
      )
    }
    if (!Number.isFinite(expiresAtSeconds) || expiresAtSeconds * 1000 <= this.#clock.now()) {
      throw new AppError('url_expired', 'The URL has expired; ask Granary for a new one.')
    }
  }
}
