import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isAppError } from './errors.ts'
import { keyFor, prefixUpperBound, validateKey, validatePrefix } from './keys.ts'

const rejects = (fn: () => unknown, rule: RegExp) =>
  assert.throws(fn, (error) => isAppError(error, 'invalid_key') && rule.test(error.message))

test('legal keys pass unchanged', () => {
  for (const key of [
    'a',
    'raw/sample.vcf',
    'my dir/it\'s "x" #1 ?a=b+c%20.txt',
    '基因组/样本.bam',
    'a/b/c/d/e/f.txt',
    ' x ',
  ]) {
    assert.equal(validateKey(key), key)
  }
})

test('each rule is enforced and named', () => {
  rejects(() => validateKey(''), /empty/)
  rejects(() => validateKey('/abs'), /start with '\/'/)
  rejects(() => validateKey('a//b'), /empty segments/)
  rejects(() => validateKey('a/'), /empty segments/)
  rejects(() => validateKey('a/../b'), /'\.' and '\.\.'/)
  rejects(() => validateKey('./a'), /'\.' and '\.\.'/)
  rejects(() => validateKey('a\\b'), /not '\\'/)
  rejects(() => validateKey('a\nb'), /control characters/)
  rejects(() => validateKey('a\u0000b'), /control characters/)
  rejects(() => validateKey('a\u007fb'), /control characters/)
  rejects(() => validateKey('a\u0085b'), /control characters/)
  rejects(() => validateKey('a\ud800b'), /not valid Unicode/)
  rejects(() => validateKey('cafe\u0301'), /NFC/)
  rejects(() => validateKey('x'.repeat(256)), /255 bytes/)
  rejects(() => validateKey(`${'x/'.repeat(512)}y`), /1024 bytes/)
  assert.equal(validateKey('é'.repeat(127)).length, 127) // 254 bytes
  rejects(() => validateKey('é'.repeat(128)), /255 bytes/)
})

test('keyFor joins path and file name and normalises to NFC', () => {
  assert.equal(keyFor('raw/', 'sample.vcf'), 'raw/sample.vcf')
  assert.equal(keyFor('raw', 'sample.vcf'), 'raw/sample.vcf')
  assert.equal(keyFor(undefined, 'sample.vcf'), 'sample.vcf')
  assert.equal(keyFor('', 'sample.vcf'), 'sample.vcf')
  assert.equal(keyFor('/', 'sample.vcf'), 'sample.vcf')
  assert.equal(keyFor('cafe\u0301/', 'e\u0301.txt'), 'caf\u00e9/\u00e9.txt')
  rejects(() => keyFor('raw/', 'a/b'), /no '\/'/)
  rejects(() => keyFor('raw/', ''), /non-empty/)
  rejects(() => keyFor('../', 'x'), /'\.' and '\.\.'/)
})

test('a prefix may end mid-segment but obeys the character rules', () => {
  assert.equal(validatePrefix('results/ru'), 'results/ru')
  assert.equal(validatePrefix(''), '')
  rejects(() => validatePrefix('/x'), /start with/)
  rejects(() => validatePrefix('a\tb'), /control/)
})

test('prefixUpperBound is the smallest string above every key with the prefix', () => {
  assert.equal(prefixUpperBound('results/'), 'results0')
  assert.equal(prefixUpperBound('a'), 'b')
  assert.equal(prefixUpperBound(''), undefined)
  assert.equal(prefixUpperBound('a\ud7ff'), 'a\ue000')
  assert.equal(prefixUpperBound('a\uffff'), 'a\u{10000}')
  assert.equal(prefixUpperBound('a\u{10ffff}'), 'b')
  const inside = ['a\uffff', 'a😀', 'a\u{10fffe}'].map((k) => Buffer.from(k))
  const bound = Buffer.from(prefixUpperBound('a') as string)
  for (const key of inside) assert.ok(Buffer.compare(key, bound) < 0)
})
