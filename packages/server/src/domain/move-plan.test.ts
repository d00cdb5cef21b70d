import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isAppError } from './errors.ts'
import { planMove } from './move-plan.ts'

const code = (from: string, to: string) => {
  try {
    planMove(from, to)
    return 'ok'
  } catch (error) {
    return isAppError(error) ? error.code : 'other'
  }
}

describe('planMove', () => {
  it('reads a file move, keeping the name when the target is a folder', () => {
    assert.deepEqual(planMove('raw/a.vcf', 'done/b.vcf'), {
      kind: 'file',
      from: 'raw/a.vcf',
      to: 'done/b.vcf',
    })
    assert.deepEqual(planMove('raw/a.vcf', 'done/'), {
      kind: 'file',
      from: 'raw/a.vcf',
      to: 'done/a.vcf',
    })
  })

  it('reads a folder move when both keys end in /', () => {
    assert.deepEqual(planMove('raw/', 'archive/raw/'), {
      kind: 'folder',
      from: 'raw/',
      to: 'archive/raw/',
    })
  })

  it('refuses a folder into itself or its parent, a folder onto a file, and no-ops', () => {
    assert.equal(code('raw/', 'raw/old/'), 'invalid_move')
    assert.equal(code('raw/old/', 'raw/'), 'invalid_move')
    assert.equal(code('raw/', 'raw'), 'invalid_move')
    assert.equal(code('raw/', 'raw/'), 'invalid_move')
    assert.equal(code('a.txt', 'a.txt'), 'invalid_move')
  })

  it('validates keys with the one key validator', () => {
    assert.equal(code('../a', 'b'), 'invalid_key')
    assert.equal(code('a', 'b//c'), 'invalid_key')
    assert.equal(code('a', 'con.txt'), 'invalid_key')
    assert.equal(code('/raw/', 'x/'), 'invalid_key')
    assert.equal(code('raw/', 'x\u0000/'), 'invalid_key')
  })
})
