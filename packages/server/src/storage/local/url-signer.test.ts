import assert from 'node:assert/strict'
import { test } from 'node:test'
import { OffsetClock, systemClock } from '../../clocks.ts'
import { UrlSigner } from './url-signer.ts'

const signer = new UrlSigner('s'.repeat(32), systemClock)
const future = Math.floor(Date.now() / 1000) + 60

test('a signature verifies for exactly the parts it was made for', () => {
  const parts = ['GET', 'ws/v/raw/a.vcf', String(future), 'attachment', 'text/plain']
  const signature = signer.sign(parts)
  signer.verify(parts, signature, future)
  for (let i = 0; i < parts.length; i++) {
    const changed = parts.map((p, j) => (j === i ? `${p}x` : p))
    assert.throws(() => signer.verify(changed, signature, future), { code: 'invalid_signature' })
  }
  assert.throws(
    () =>
      signer.verify(
        parts,
        `${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`,
        future,
      ),
    {
      code: 'invalid_signature',
    },
  )
  assert.throws(() => signer.verify(parts, '', future), { code: 'invalid_signature' })
  assert.throws(() => new UrlSigner('t'.repeat(32), systemClock).verify(parts, signature, future), {
    code: 'invalid_signature',
  })
})

test('an expired signature is url_expired', () => {
  const past = Math.floor(Date.now() / 1000) - 1
  const parts = ['GET', 'x', String(past)]
  assert.throws(() => signer.verify(parts, signer.sign(parts), past), { code: 'url_expired' })
  assert.throws(() => signer.verify(parts, signer.sign(parts), Number.NaN), { code: 'url_expired' })
})

test('a signature expires when the clock passes its expiry, not before', () => {
  const clock = new OffsetClock()
  const moved = new UrlSigner('s'.repeat(32), clock)
  const expires = moved.expiryFor(60)
  const parts = ['PUT', 'up_1', '10', String(expires)]
  const signature = moved.sign(parts)
  clock.advance(58_000)
  moved.verify(parts, signature, expires)
  clock.advance(2_000)
  assert.throws(() => moved.verify(parts, signature, expires), { code: 'url_expired' })
})
