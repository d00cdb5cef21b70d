import assert from 'node:assert/strict'
import { test } from 'node:test'
import { parseRegion } from './regions.ts'

const CONTIGS = ['chr1', 'chr2', 'HLA-A*01:01']

test('regions are 1-based inclusive on the wire, 0-based half-open inside', () => {
  assert.deepEqual(parseRegion('chr1:1000-2000', CONTIGS), {
    contig: 'chr1',
    start: 999,
    end: 2000,
  })
  assert.deepEqual(parseRegion('chr1:1,000-2,000', CONTIGS), {
    contig: 'chr1',
    start: 999,
    end: 2000,
  })
  assert.deepEqual(parseRegion('chr2', CONTIGS), { contig: 'chr2', start: 0, end: undefined })
  assert.deepEqual(parseRegion('chr2:50', CONTIGS), { contig: 'chr2', start: 49, end: undefined })
  assert.deepEqual(parseRegion('chr2:-50', CONTIGS), { contig: 'chr2', start: 0, end: 50 })
})

test("bcftools' reading: chr1:1000 is one position, chr1:1000- to the end", () => {
  const options = { onePosition: true }
  assert.deepEqual(parseRegion('chr1:1000', CONTIGS, options), {
    contig: 'chr1',
    start: 999,
    end: 1000,
  })
  assert.deepEqual(parseRegion('chr1:1000-', CONTIGS, options), {
    contig: 'chr1',
    start: 999,
    end: undefined,
  })
})

test('a contig with a colon in its name is found whole or in braces', () => {
  assert.deepEqual(parseRegion('HLA-A*01:01', CONTIGS), {
    contig: 'HLA-A*01:01',
    start: 0,
    end: undefined,
  })
  assert.deepEqual(parseRegion('{HLA-A*01:01}:5-9', CONTIGS), {
    contig: 'HLA-A*01:01',
    start: 4,
    end: 9,
  })
})

test('malformed regions and unknown contigs are invalid_region naming known contigs', () => {
  for (const bad of ['chr1:0-5', 'chr1:20-10', 'chr1:x-y', 'chr1:', 'chr1:1-2-3']) {
    assert.throws(() => parseRegion(bad, CONTIGS), { code: 'invalid_region' }, bad)
  }
  assert.throws(
    () => parseRegion('chrX:1-10', CONTIGS),
    (error: Error & { details?: unknown }) => {
      assert.match(error.message, /no contig 'chrX'.*chr1, chr2/)
      assert.deepEqual(error.details, { region: 'chrX:1-10', known_contigs: CONTIGS })
      return true
    },
  )
})
