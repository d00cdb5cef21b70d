import assert from 'node:assert/strict'
import { test } from 'node:test'
import { isAppError } from './errors.ts'
import { keyFor, prefixUpperBound, validateKey, validateNewKey, validatePrefix } from './keys.ts'

const rejects = (fn: () => unknown, rule: RegExp) =>
  assert.throws(fn, (error) => isAppError(error, 'invalid_key') && rule.test(error.message))

test('legal keys pass unchanged', () => {
  for (const key of [
    'a',
    'raw/sample.vcf',
    'my dir/it\'s "x" #1 ?a=b+c%20.txt',
    '基因组/样本.bam',
    'a/b/c/d/e/f.txt',
    ' x',
    'console.log',
    'nul1.txt',
    'a.con',
    'com10',
  ]) {
    assert.equal(validateNewKey(key), key)
  }
})

test('a new key must be portable: no invisible controls, device names or trailing dot/space', () => {
  for (const c of [
    '\u200b',
    '\u200f',
    '\u202a',
    '\u202e',
    '\u2066',
    '\u2069',
    '\u2028',
    '\u2029',
    '\ufeff',
  ]) {
    rejects(() => validateNewKey(`a${c}b.txt`), /bidi controls/)
  }
  for (const name of [
    'CON',
    'nul',
    'aux.txt',
    'raw/COM1/x',
    'lpt9.tar.gz',
    'Prn',
    'com¹',
    'CONIN$',
    'nul .txt',
  ]) {
    rejects(() => validateNewKey(name), /reserved device name/)
  }
  for (const name of ['a.', 'a ', 'raw./x', 'raw /x', 'x/...x.']) {
    rejects(() => validateNewKey(name), /must not end with '\.' or ' '/)
  }
  rejects(() => keyFor('raw/', 'aux.txt'), /reserved/)
  rejects(() => keyFor('con/', 'x.txt'), /reserved/)
  rejects(() => keyFor('raw/', 'x\u202egpj.exe'), /bidi/)
})

test('the message shows invisible controls escaped, never raw', () => {
  assert.throws(
    () => validateNewKey('x\u202etxt.exe'),
    (error) => isAppError(error, 'invalid_key') && error.message.includes('x\\u202etxt.exe'),
  )
})

test('a lookup still accepts a name stored before the portability rules', () => {
  for (const key of ['CON', 'aux.txt', 'a.', 'a ', 'x\u200by']) assert.equal(validateKey(key), key)
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
