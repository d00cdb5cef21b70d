/**
 * The README's "Walkthrough with curl", run as written (bash, curl, jq, split) from an unrelated
 * folder against a real server: only the server's URL is changed.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
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

const MiB = 1024 * 1024
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex')

/** The first ```sh block after the heading. */
async function walkthrough(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## Walkthrough with curl'))
  const block = section.match(/```sh\n([\s\S]*?)```/)?.[1]
  assert.ok(block, 'the walkthrough has a sh block')
  return block
}

describe("the README's curl walkthrough", () => {
  let server: ServerProcess
  let work = ''
  before(async () => {
    server = await startServerProcess({ GRANARY_PART_SIZE: String(5 * MiB) })
    work = await mkdtemp(join(tmpdir(), 'granary-readme-'))
  })
  after(async () => {
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })

  test('runs from any folder and leaves what it says', async () => {
    const home = join(work, 'home')
    const keyDir = join(home, '.local', 'share', 'granary')
    await mkdir(keyDir, { recursive: true })
    await writeFile(join(keyDir, 'admin.key'), `${ADMIN_KEY}\n`)
    const folder = join(work, 'lab')
    await mkdir(folder)
    const files = {
      'sample.vcf': Buffer.from('##fileformat=VCFv4.2\n#CHROM\tPOS\n'),
      'large_genome.bam': randomBytes(3 * MiB),
      'big.bam': randomBytes(11 * MiB + 17),
    }
    for (const [name, bytes] of Object.entries(files)) await writeFile(join(folder, name), bytes)
    const script = (await walkthrough()).replace(
      'export GRANARY_URL=http://127.0.0.1:8080',
      `export GRANARY_URL=${server.url}`,
    )
    const { stdout } = await promisify(execFile)('bash', ['-c', script], {
      cwd: folder,
      env: { PATH: process.env.PATH ?? '', HOME: home },
      maxBuffer: 16 * MiB,
    })
    // The one error on purpose: revoking the placeholder key id `key_...`.
    const errors = [...stdout.matchAll(/"code":"(\w+)"/g)].map((m) => m[1])
    assert.deepEqual(errors, ['api_key_not_found'], stdout)

    assert.deepEqual(await readFile(join(folder, 'sample.copy.vcf')), files['sample.vcf'])
    assert.deepEqual(await readFile(join(folder, 'sample.vcf')), files['sample.vcf'])
    const parts = (await readdir(folder)).filter((name) => name.startsWith('part-')).sort()
    assert.deepEqual(parts, ['part-00001', 'part-00002', 'part-00003'])

    const listed = (await (
      await fetch(`${server.url}/v1/files?workspace_id=ws_default`, {
        headers: { authorization: `Bearer ${ADMIN_KEY}` },
      })
    ).json()) as { files: Array<{ key: string; size: number; sha256: string }> }
    assert.deepEqual(
      listed.files.map((f) => [f.key, f.size, f.sha256]),
      [
        ['bam/big.bam', files['big.bam'].length, sha256(files['big.bam'])],
        [
          'bam/large_genome.bam',
          files['large_genome.bam'].length,
          sha256(files['large_genome.bam']),
        ],
      ],
    )
  })
})
