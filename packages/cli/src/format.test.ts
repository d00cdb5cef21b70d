import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { keyTable } from './admin.ts'
import { formatFile } from './files.ts'
import { fileRow, humanSize, shortDate, shortDuration, table } from './format.ts'
import { transferPayload } from './progress.ts'

describe('humanSize', () => {
  it('uses bytes below 1 KiB and one decimal above', () => {
    assert.equal(humanSize(0), '0 B')
    assert.equal(humanSize(1023), '1023 B')
    assert.equal(humanSize(1536), '1.5 KiB')
    assert.equal(humanSize(100 * 1024 ** 3), '100.0 GiB')
  })
})

describe('shortDate', () => {
  it('prints UTC to the minute, and a dash for none', () => {
    assert.equal(shortDate('2025-03-04T05:06:07.000Z'), '2025-03-04 05:06')
    assert.equal(shortDate('2025-03-04T07:06:07+02:00'), '2025-03-04 05:06')
    assert.equal(shortDate(null), '-')
    assert.equal(shortDate('not a date'), 'not a date')
  })
})

describe('shortDuration', () => {
  it('prints seconds, minutes or hours', () => {
    assert.equal(shortDuration(12.4), '12s')
    assert.equal(shortDuration(185), '3m05s')
    assert.equal(shortDuration(3720), '1h02m')
    assert.equal(shortDuration(Number.POSITIVE_INFINITY), '-')
  })
})

describe('table', () => {
  it('aligns every column but the last', () => {
    assert.deepEqual(
      table([
        ['ID', 'NAME'],
        ['ws_longer', 'Lab'],
      ]),
      ['ID         NAME', 'ws_longer  Lab'],
    )
  })
})

describe('ls rows', () => {
  it('right-aligns sizes so the columns line up', () => {
    const file = { key: 'raw/sample.vcf', size: 1536, updated_at: '2025-03-04T05:06:07Z' }
    assert.equal(formatFile(file as never), '   1.5 KiB  2025-03-04 05:06  raw/sample.vcf')
    assert.equal(fileRow('SIZE', 'UPDATED', 'KEY'), '      SIZE  UPDATED           KEY')
  })
})

describe('keyTable', () => {
  it('shows status, scopes and workspaces', () => {
    const keys = [
      {
        id: 'k1',
        name: 'admin',
        scopes: ['admin'],
        workspace_ids: null,
        created_at: '',
        expires_at: null,
        revoked_at: null,
      },
      {
        id: 'k2',
        name: 'old',
        scopes: ['files:read', 'files:write'],
        workspace_ids: ['ws_a', 'ws_b'],
        created_at: '',
        expires_at: '2000-01-01T00:00:00Z',
        revoked_at: null,
      },
      {
        id: 'k3',
        name: 'gone',
        scopes: ['files'],
        workspace_ids: ['ws_a'],
        created_at: '',
        expires_at: null,
        revoked_at: '2025-01-01T00:00:00Z',
      },
    ] as const
    assert.deepEqual(keyTable(keys as never), [
      'ID  STATUS   SCOPES                  WORKSPACES  EXPIRES           NAME',
      'k1  active   admin                   *           -                 admin',
      'k2  expired  files:read,files:write  ws_a,ws_b   2000-01-01 00:00  old',
      'k3  revoked  files                   ws_a        -                 gone',
    ])
  })
})

describe('transferPayload', () => {
  it('computes throughput and ETA from the average rate', () => {
    const payload = transferPayload('a.bam', 50 * 1024 ** 2, 150 * 1024 ** 2, 10)
    assert.deepEqual(payload, {
      label: 'a.bam',
      done: '50.0 MiB',
      size: '150.0 MiB',
      speed: '5.0 MiB/s',
      remaining: '20s',
    })
  })

  it('copes with an unknown total', () => {
    const payload = transferPayload('x', 10, undefined, 1)
    assert.equal(payload.size, '?')
    assert.equal(payload.remaining, '-')
  })
})
