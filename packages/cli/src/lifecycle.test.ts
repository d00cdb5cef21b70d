import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fileInfo, json, runCli } from '../test/harness.ts'

const version = (id: string, current: boolean, size: number) => ({
  version_id: id,
  size,
  sha256: `${id}0123456789abcdef`,
  content_type: 'text/plain',
  created_at: '2025-03-04T05:06:07.000Z',
  is_current: current,
})

describe('granary versions and restore', () => {
  it('prints the versions as a table, the current one starred', async () => {
    const versions = [version('v2', true, 2048), version('v1', false, 10)]
    const result = await runCli(['versions', 'raw/a.vcf'], () => json({ versions }))
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(result.stdout.split('\n'), [
      '   VERSION  SIZE     CREATED           SHA256',
      '*  v2       2.0 KiB  2025-03-04 05:06  v20123456789',
      '   v1       10 B     2025-03-04 05:06  v10123456789',
      '',
    ])
    assert.equal(result.requests[0]?.url.searchParams.get('key'), 'raw/a.vcf')
  })

  it('restore needs --version and sends it', async () => {
    const missing = await runCli(['restore', 'raw/a.vcf'])
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /--version.*\(usage\)\n$/)
    const result = await runCli(['restore', 'raw/a.vcf', '--version', 'v1'], () =>
      json(fileInfo('raw/a.vcf')),
    )
    assert.equal(result.stdout, 'restored raw/a.vcf to version v1\n')
    assert.equal(JSON.parse(result.requests[0]?.body.toString() ?? '').version_id, 'v1')
  })
})

describe('granary mv, cp and rm -r', () => {
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

  it('rm -r deletes a folder; rm of a folder without -r is refused', async () => {
    const result = await runCli(['rm', '-r', 'raw'], () => json({ deleted: 2 }))
    assert.equal(result.stdout, 'deleted 2 files under raw/\n')
    assert.deepEqual(Object.fromEntries(result.requests[0]?.url.searchParams ?? []), {
      workspace_id: 'ws_default',
      prefix: 'raw/',
      recursive: 'true',
    })
    const refused = await runCli(['rm', 'raw/'])
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /use granary rm -r raw\//)
  })
})

describe('granary trash', () => {
  it('ls prints a table; purge needs an id or --all', async () => {
    const item = {
      trash_id: 'tr_1',
      group_id: 'tg_1',
      key: 'raw/a.vcf',
      size: 1536,
      deleted_at: '2025-03-04T05:06:07.000Z',
      purge_at: '2025-03-11T05:06:07.000Z',
    }
    const listed = await runCli(['trash', 'ls'], () => json({ files: [item], next_cursor: null }))
    assert.deepEqual(listed.stdout.split('\n'), [
      'TRASH ID  GROUP  SIZE     DELETED           PURGED AFTER      KEY',
      'tr_1      tg_1   1.5 KiB  2025-03-04 05:06  2025-03-11 05:06  raw/a.vcf',
      '',
    ])
    const neither = await runCli(['trash', 'purge'])
    assert.equal(neither.code, 2)
    assert.match(neither.stderr, /name one trash id, or use --all/)
    const all = await runCli(['trash', 'purge', '--all'], () => json({ purged: 3 }))
    assert.equal(all.stdout, 'purged 3 items from the trash\n')
    assert.equal(all.requests[0]?.url.searchParams.get('all'), 'true')
  })

  it('restore --to sends the other key', async () => {
    const result = await runCli(['trash', 'restore', 'tr_1', '--to', 'raw/b.vcf'], () =>
      json(fileInfo('raw/b.vcf')),
    )
    assert.equal(result.stdout, 'restored raw/b.vcf\n')
    assert.equal(JSON.parse(result.requests[0]?.body.toString() ?? '').to, 'raw/b.vcf')
  })

  it('restore --group restores a folder deleted together', async () => {
    const files = [fileInfo('raw/a.vcf'), fileInfo('raw/b.vcf')]
    const result = await runCli(['trash', 'restore', '--group', 'tg_1'], () => json({ files }))
    assert.equal(result.stdout, 'restored 2 files of tg_1\n')
    assert.equal(result.requests[0]?.url.pathname, '/v1/trash/restore-group')
    const both = await runCli(['trash', 'restore', 'tr_1', '--group', 'tg_1'])
    assert.equal(both.code, 2)
  })
})
