/** The granary CLI as a user runs it, against a real server process. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import {
  ADMIN_KEY,
  ROOT,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.ts'

const exec = promisify(execFile)

describe('granary CLI against a running server', () => {
  let server: ServerProcess
  let work: string
  const granary = async (args: string[], apiKey = ADMIN_KEY) => {
    try {
      const { stdout, stderr } = await exec(
        process.execPath,
        [join(ROOT, 'packages/cli/bin/granary.js'), ...args],
        {
          cwd: work,
          env: { PATH: process.env.PATH ?? '', GRANARY_URL: server.url, GRANARY_API_KEY: apiKey },
        },
      )
      return { code: 0, stdout, stderr }
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string }
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
    }
  }
  before(async () => {
    server = await startServerProcess()
    work = await mkdtemp(join(tmpdir(), 'granary-e2e-cli-'))
  })
  after(async () => {
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })

  test('admin: create and list workspaces; create, list and revoke keys', async () => {
    const created = await granary([
      'admin',
      'workspace',
      'create',
      'Exome lab',
      '--id',
      'ws_abc123',
      '--json',
    ])
    assert.equal(created.code, 0, created.stderr)
    assert.equal(JSON.parse(created.stdout).id, 'ws_abc123')
    const listed = await granary(['admin', 'workspace', 'list', '--json'])
    assert.deepEqual(
      JSON.parse(listed.stdout)
        .map((w: { id: string }) => w.id)
        .sort(),
      ['ws_abc123', 'ws_default'],
    )
    const key = await granary([
      'admin',
      'key',
      'create',
      '--name',
      'pipeline',
      '--scope',
      'files',
      '--workspace-id',
      'ws_abc123',
      '--json',
    ])
    assert.equal(key.code, 0, key.stderr)
    const { id, secret } = JSON.parse(key.stdout)
    assert.ok(secret)
    const keys = await granary(['admin', 'key', 'list', '--json'])
    assert.ok(
      JSON.parse(keys.stdout).some(
        (k: { id: string; secret?: string }) => k.id === id && !k.secret,
      ),
    )
    assert.equal((await granary(['ls', '-w', 'ws_abc123'], secret)).code, 0)
    assert.equal((await granary(['admin', 'key', 'revoke', id])).code, 0)
    const refused = await granary(['ls', '-w', 'ws_abc123'], secret)
    assert.notEqual(refused.code, 0)
    assert.match(refused.stderr, /unauthenticated/)
  })

  test('upload, ls, url, download, rm', async () => {
    await writeFile(join(work, 'sample.vcf'), '##fileformat=VCFv4.2\n')
    await writeFile(join(work, 'reads.fq'), '@r1\nACGT\n+\n!!!!\n')
    const uploaded = await granary([
      'upload',
      'sample.vcf',
      'reads.fq',
      '--path',
      'raw/',
      '-w',
      'ws_abc123',
      '--json',
    ])
    assert.equal(uploaded.code, 0, uploaded.stderr)
    const ls = await granary(['ls', 'raw/', '-w', 'ws_abc123', '--json'])
    assert.deepEqual(
      JSON.parse(ls.stdout).files.map((f: { key: string }) => f.key),
      ['raw/reads.fq', 'raw/sample.vcf'],
    )
    const table = await granary(['ls', 'raw/', '-w', 'ws_abc123'])
    assert.match(table.stdout, /raw\/sample\.vcf/)
    const url = await granary(['url', 'raw/sample.vcf', '--expires-in', '600', '-w', 'ws_abc123'])
    assert.equal(url.code, 0, url.stderr)
    const fetched = await fetch(url.stdout.trim())
    assert.equal(await fetched.text(), '##fileformat=VCFv4.2\n')
    const downloaded = await granary(['download', 'raw/reads.fq', 'out/', '-w', 'ws_abc123'])
    assert.equal(downloaded.code, 0, downloaded.stderr)
    assert.equal(await readFile(join(work, 'out', 'reads.fq'), 'utf8'), '@r1\nACGT\n+\n!!!!\n')
    assert.equal((await granary(['rm', 'raw/reads.fq', '-w', 'ws_abc123'])).code, 0)
    const gone = await granary(['rm', 'raw/reads.fq', '-w', 'ws_abc123'])
    assert.notEqual(gone.code, 0)
    assert.equal(gone.stderr.trim().split('\n').length, 1, 'one line, no stack trace')
    assert.match(gone.stderr, /file_not_found/)
  })

  test('large files go through the upload-url flow', async () => {
    await writeFile(join(work, 'big.bam'), Buffer.alloc(2_000_000, 7))
    const uploaded = await granary([
      'upload',
      'big.bam',
      '--path',
      'bam/',
      '--large-threshold',
      '1000000',
      '-w',
      'ws_abc123',
      '--json',
    ])
    assert.equal(uploaded.code, 0, uploaded.stderr)
    const ls = await granary(['ls', 'bam/', '-w', 'ws_abc123', '--json'])
    assert.equal(JSON.parse(ls.stdout).files[0].size, 2_000_000)
  })

  test('admin storage check reports the local backend', async () => {
    const check = await granary(['admin', 'storage', 'check'])
    assert.equal(check.code, 0, check.stderr)
    assert.match(check.stdout, /backend:\s+local/)
    assert.match(check.stdout, /reachable:\s+yes/)
  })

  const ok = async (args: string[]) => {
    const result = await granary([...args, '-w', 'ws_default'])
    assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}`)
    return result.stdout
  }
  const keys = async (prefix: string): Promise<string[]> =>
    JSON.parse(await ok(['ls', prefix, '--json'])).files.map((f: { key: string }) => f.key)

  test('mv and cp: a file, a folder, and a taken target', async () => {
    await writeFile(join(work, 'a.vcf'), 'a\n')
    await ok(['upload', 'a.vcf', '--path', 'mvcp/'])
    assert.equal(await ok(['mv', 'mvcp/a.vcf', 'mvcp/b.vcf']), 'moved mvcp/a.vcf -> mvcp/b.vcf\n')
    await ok(['cp', 'mvcp/b.vcf', 'mvcp/c.vcf'])
    assert.equal(await ok(['cp', 'mvcp/', 'copies/']), 'copied mvcp/ -> copies/ (2 files)\n')
    assert.deepEqual(await keys('copies/'), ['copies/b.vcf', 'copies/c.vcf'])
    const taken = await granary(['mv', 'mvcp/b.vcf', 'mvcp/c.vcf', '-w', 'ws_default'])
    assert.equal(taken.code, 1)
    assert.match(taken.stderr, /^granary: error: .*\(file_exists\)\n$/)
    await ok(['mv', 'mvcp/b.vcf', 'mvcp/c.vcf', '--overwrite'])
    assert.deepEqual(await keys('mvcp/'), ['mvcp/c.vcf'])
  })

  test('versions, restore --version, rm -r and trash ls|restore|purge', async () => {
    await writeFile(join(work, 'calls.vcf'), 'first\n')
    await ok(['upload', 'calls.vcf', '--path', 'life/'])
    await writeFile(join(work, 'calls.vcf'), 'second\n')
    await ok(['upload', 'calls.vcf', '--path', 'life/'])
    assert.match(
      await ok(['mv', 'life/calls.vcf', 'life/final.vcf']),
      /moved life\/calls\.vcf -> life\/final\.vcf/,
    )
    assert.match(await ok(['cp', 'life/final.vcf', 'life/copy.vcf']), /copied/)
    const table = (await ok(['versions', 'life/final.vcf'])).trim().split('\n')
    assert.match(table[0] ?? '', /VERSION\s+SIZE\s+CREATED/)
    assert.equal(table.length, 3)
    const { versions } = JSON.parse(await ok(['versions', 'life/final.vcf', '--json']))
    await ok(['restore', 'life/final.vcf', '--version', versions[1].version_id])
    await ok(['download', 'life/final.vcf', join(work, 'restored.vcf')])
    assert.equal(await readFile(join(work, 'restored.vcf'), 'utf8'), 'first\n')
    assert.match(await ok(['rm', '-r', 'life/']), /deleted 2 files under life\//)
    assert.deepEqual(await keys('life/'), [])
    const trash = await ok(['trash', 'ls', 'life/'])
    assert.match(trash, /TRASH ID\s+GROUP\s+SIZE\s+DELETED\s+PURGED AFTER\s+KEY/)
    assert.match(trash, /life\/final\.vcf/)
    const items = JSON.parse(await ok(['trash', 'ls', 'life/', '--json'])).files
    assert.match(await ok(['trash', 'restore', '--group', items[0].group_id]), /restored 2 files/)
    assert.deepEqual(await keys('life/'), ['life/copy.vcf', 'life/final.vcf'])
    await ok(['rm', 'life/copy.vcf'])
    const [copy] = JSON.parse(await ok(['trash', 'ls', 'life/copy.vcf', '--json'])).files
    assert.match(await ok(['trash', 'purge', copy.trash_id]), /purged/)
    const gone = await granary(['trash', 'restore', copy.trash_id, '-w', 'ws_default'])
    assert.equal(gone.code, 1)
    assert.match(gone.stderr, /^granary: error: .*\(trash_item_not_found\)\n$/)
  })

  test('usage: current, versions, trash and the quotas; an upload past the quota is refused', async () => {
    const set = await fetch(`${server.url}/v1/workspaces/ws_default`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ quota_files: 1000 }),
    })
    assert.equal(set.status, 200)
    const json = JSON.parse(await ok(['usage', '--json']))
    assert.equal(json.quota_files, 1000)
    assert.equal(json.quota_bytes, null)
    const text = await ok(['usage'])
    const held = json.files + json.versions + json.trash_files
    assert.match(text, new RegExp(`files: ${held} of 1000 \\(\\d+%\\)`))
    assert.match(text, /bytes: none/)
    assert.match(text, /^ {2}current {3}\d+ files, /m)

    await fetch(`${server.url}/v1/workspaces/ws_default`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ quota_files: held }),
    })
    await writeFile(join(work, 'over.txt'), 'over\n')
    const refused = await granary(['upload', 'over.txt', '-w', 'ws_default'])
    assert.equal(refused.code, 1)
    assert.match(refused.stderr, /quota of \d+ files .*\(quota_exceeded\)\n$/)
    await fetch(`${server.url}/v1/workspaces/ws_default`, {
      method: 'PATCH',
      headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ quota_files: null }),
    })
  })

  test('usage errors exit non-zero with help, not a stack trace', async () => {
    const bad = await granary(['download'])
    assert.notEqual(bad.code, 0)
    assert.doesNotMatch(bad.stderr, /\n\s+at /)
  })
})
