import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ApiError, NetworkError } from '@granary/client'
import { CommanderError } from 'commander'
import { describeFailure, UsageError } from './errors.ts'
import { collect, parsePositiveInt, parseSize } from './parse.ts'

describe('parseSize', () => {
  it('reads plain bytes, binary and decimal units', () => {
    assert.equal(parseSize('1048576'), 1048576)
    assert.equal(parseSize('100MiB'), 100 * 1024 ** 2)
    assert.equal(parseSize('100m'), 100 * 1024 ** 2)
    assert.equal(parseSize('500MB'), 500_000_000)
    assert.equal(parseSize('1.5 GiB'), 1.5 * 1024 ** 3)
  })

  it('rejects what is not a size', () => {
    assert.throws(() => parseSize('lots'), /not a size/)
    assert.throws(() => parseSize('10 parsecs'), /not a size/)
    assert.throws(() => parseSize('-5'), /not a size/)
  })
})

describe('parsePositiveInt', () => {
  it('accepts whole numbers from 1', () => {
    assert.equal(parsePositiveInt('3600'), 3600)
    assert.throws(() => parsePositiveInt('0'))
    assert.throws(() => parsePositiveInt('1.5'))
    assert.throws(() => parsePositiveInt('ten'))
  })
})

describe('collect', () => {
  it('accumulates repeated options', () => {
    assert.deepEqual(collect('b', collect('a', undefined)), ['a', 'b'])
  })
})

describe('describeFailure', () => {
  it('prints API errors with their code, exit 1', () => {
    const err = new ApiError({ status: 404, code: 'file_not_found', message: "No file 'x'." })
    assert.deepEqual(describeFailure(err), {
      line: "granary: error: No file 'x'. (file_not_found)",
      exitCode: 1,
    })
  })

  it('prints network errors, exit 1', () => {
    const failure = describeFailure(new NetworkError('http://h/', new Error('ECONNREFUSED')))
    assert.equal(failure?.exitCode, 1)
    assert.match(failure?.line ?? '', /\(network_error\)$/)
  })

  it('makes usage errors exit 2, without commander’s "error:" prefix', () => {
    const err = new CommanderError(
      1,
      'commander.missingArgument',
      "error: missing required argument 'key'",
    )
    assert.deepEqual(describeFailure(err), {
      line: "granary: error: missing required argument 'key' (usage)",
      exitCode: 2,
    })
    assert.equal(describeFailure(new UsageError('bad'))?.exitCode, 2)
  })

  it('is silent for help and version', () => {
    assert.equal(
      describeFailure(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)')),
      undefined,
    )
  })

  it('turns system errors into one readable line', () => {
    const err = Object.assign(new Error("ENOENT: no such file or directory, stat 'x.vcf'"), {
      code: 'ENOENT',
      path: 'x.vcf',
    })
    assert.equal(
      describeFailure(err)?.line,
      'granary: error: x.vcf: no such file or folder (ENOENT)',
    )
  })

  it('keeps any message to one line', () => {
    assert.equal(describeFailure(new Error('two\nlines'))?.line, 'granary: error: two lines')
  })
})
