import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fileInfo, json, runCli } from '../test/harness.ts'

describe('granary mv and cp', () => {
  it('mv sends from and to; a folder cannot become a file', async () => {
    const result = await runCli(['mv', 'a.vcf', 'b.vcf', '--overwrite'], () =>
      json(fileInfo('b.vcf')),
    )
    assert.equal(result.stdout, 'moved a.vcf -> b.vcf\n')
    const body = JSON.parse(result.requests[0]?.body.toString() ?? '')
    assert.deepEqual(body, {
      workspace_id: 'ws_default',
      from: 'a.vcf',
      to: 'b.vcf',
      overwrite: true,
    })
    const mixed = await runCli(['cp', 'raw/', 'b.vcf'])
    assert.equal(mixed.code, 2)
    assert.equal(mixed.requests.length, 0)
    assert.match(mixed.stderr, /'raw\/' is a folder: the target must be a folder too/)
  })

  it('cp of a folder prints the count', async () => {
    const result = await runCli(['cp', 'raw/', 'backup/'], () => json({ copied: 3 }))
    assert.equal(result.stdout, 'copied raw/ -> backup/ (3 files)\n')
  })
})
