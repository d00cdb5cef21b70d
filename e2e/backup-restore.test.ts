/**
 * `granary admin backup` while a server takes uploads, then `granary admin restore` into a new
 * data folder and a server on it: every file it lists is byte-exact, and every file uploaded
 * before the backup began is there.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { Granary } from '@granary/client'
import {
  ADMIN_KEY,
  ROOT,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.ts'

const exec = promisify(execFile)
const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex')

async function granary(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(
      process.execPath,
      [join(ROOT, 'packages/cli/bin/granary.js'), ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
    )
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('backup during uploads, restore into a new data folder', () => {
  let work: string
  let source: ServerProcess
  let restored: ServerProcess | undefined
  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'granary-e2e-backup-'))
    source = await startServerProcess()
  })
  after(async () => {
    await restored?.stop()
    await source.stop()
    await rm(work, { recursive: true, force: true })
  })

  test('every listed file of the restored server is byte-exact', async () => {
    const client = new Granary({
      baseUrl: source.url,
      apiKey: ADMIN_KEY,
      workspaceId: 'ws_default',
    })
    // Every content ever uploaded under each key: a file restored from the backup must be one.
    const uploaded = new Map<string, Set<string>>()
    const upload = async (key: string, size: number) => {
      const bytes = randomBytes(size)
      const slash = key.lastIndexOf('/')
      const digests = uploaded.get(key) ?? new Set<string>()
      digests.add(sha(bytes))
      uploaded.set(key, digests)
      await client.files.upload(new Blob([bytes]), {
        path: key.slice(0, slash + 1),
        filename: key.slice(slash + 1),
        overwrite: true,
      })
    }
    for (let i = 0; i < 20; i++) await upload(`before/file-${i}.bin`, 1000 + i * 5000)
    const before = [...uploaded.keys()]

    let writing = true
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        await upload(`during/file-${i % 15}.bin`, 20_000 + (i % 7) * 40_000)
        await client.files.delete(`before/file-${i % 20}.bin`).catch(() => {})
        await upload(`before/file-${i % 20}.bin`, 3000 + i)
      }
    })()
    const backupDir = join(work, 'backup')
    const backup = await granary([
      'admin',
      'backup',
      backupDir,
      '--data-dir',
      source.dataDir,
      '--json',
    ])
    writing = false
    await writer
    assert.equal(backup.code, 0, backup.stderr)
    const report = JSON.parse(backup.stdout)
    assert.ok(report.blobs >= 20, `backed up ${report.blobs} blobs`)
    assert.equal(report.copied, 0, 'same file system: blobs are hard-linked, not copied')

    const dataDir = join(work, 'restored')
    const restore = await granary(['admin', 'restore', backupDir, '--data-dir', dataDir])
    assert.equal(restore.code, 0, restore.stderr)
    assert.match(restore.stdout, /restored the backup of .* into /)

    restored = await startServerProcess({ GRANARY_DATA_DIR: dataDir })
    const reader = new Granary({
      baseUrl: restored.url,
      apiKey: ADMIN_KEY,
      workspaceId: 'ws_default',
    })
    const keys: string[] = []
    for await (const file of reader.files.listAll({})) {
      const body = Buffer.from(
        await new Response((await reader.files.downloadStream(file.key)).body).arrayBuffer(),
      )
      assert.equal(sha(body), file.sha256, `${file.key}: bytes match the listed SHA-256`)
      assert.ok(uploaded.get(file.key)?.has(file.sha256), `${file.key}: content was uploaded`)
      keys.push(file.key)
    }
    // A `before/` file may be caught between its delete and its upload again; most are there.
    const present = before.filter((key) => keys.includes(key))
    assert.ok(present.length >= 15, `only ${present.length} of the 20 first files were restored`)
  })

  test('refuses a non-empty backup folder, a folder that is no backup, and a used data folder', async () => {
    const full = await granary(['admin', 'backup', source.dataDir, '--data-dir', source.dataDir])
    assert.equal(full.code, 1)
    assert.match(full.stderr, /is not empty; back up into a new or empty folder/)
    const notBackup = join(work, 'empty')
    const missing = await granary([
      'admin',
      'restore',
      notBackup,
      '--data-dir',
      join(work, 'fresh'),
    ])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /is not a finished Granary backup/)
    const used = await granary([
      'admin',
      'restore',
      join(work, 'backup'),
      '--data-dir',
      source.dataDir,
    ])
    assert.equal(used.code, 1)
    assert.match(used.stderr, /is not empty; restore into a new or empty data folder/)
    assert.ok((await stat(join(source.dataDir, 'granary.sqlite'))).isFile())
    assert.ok((await readdir(join(source.dataDir, 'blobs'))).length > 0, 'nothing was touched')
  })

  test('scrub: a byte changed on disk behind Granary is reported, with exit status 1', async () => {
    const env = { GRANARY_URL: source.url, GRANARY_API_KEY: ADMIN_KEY }
    const clean = await granary(['admin', 'scrub'], env)
    assert.equal(clean.code, 0, clean.stderr)
    assert.match(clean.stdout, /^scrub_\S+ finished: \d+ files, .* checked\n$/)

    const client = new Granary({
      baseUrl: source.url,
      apiKey: ADMIN_KEY,
      workspaceId: 'ws_default',
    })
    const file = await client.files.upload(new Blob(['the original calls\n']), {
      path: 'scrubbed/',
      filename: 'calls.vcf',
    })
    const blobs = join(source.dataDir, 'blobs')
    const path = (await readdir(blobs, { recursive: true })).find((p) =>
      p.endsWith('scrubbed/calls.vcf'),
    )
    assert.ok(path, 'the blob is a file under blobs/')
    const handle = await open(join(blobs, path), 'r+')
    await handle.write('T', 4) // one byte flipped, as bit rot or a stray editor would
    await handle.close()

    const found = await granary(['admin', 'scrub', '--rate', '10MiB'], env)
    assert.equal(found.code, 1)
    assert.match(found.stdout, /checksum_mismatch\s+ws_default\s+scrubbed\/calls\.vcf/)
    assert.match(found.stderr, /1 file\(s\) do not match what was stored \(scrub_found_problems\)/)
    const json = await granary(['admin', 'scrub', '--status', '--json'], env)
    assert.equal(JSON.parse(json.stdout).findings[0].expected_sha256, file.sha256)
  })
})
