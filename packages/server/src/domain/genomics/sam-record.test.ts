import assert from 'node:assert/strict'
import { test } from 'node:test'
import { formatG } from './sam-record.ts'

test("formatG prints floats as C's %g does (htslib's f tags)", () => {
  const cases: Array<[number, string]> = [
    [0, '0'],
    [1, '1'],
    [0.5, '0.5'],
    [12.345678, '12.3457'],
    [123456, '123456'],
    [1234567, '1.23457e+06'],
    [0.0001, '0.0001'],
    [0.00001234, '1.234e-05'],
    [-2.5, '-2.5'],
    [100, '100'],
  ]
  for (const [value, expected] of cases) assert.equal(formatG(value), expected, String(value))
})
