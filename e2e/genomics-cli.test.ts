/**
 * `granary query` as a user pipes it (#15): its output goes into bcftools and samtools, and what
 * they print is what they print from the local files. A real server process, the real CLI.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import {
  type GenomicsFixtures,
  genomicsFixtures,
} from '../packages/server/test/support/genomics-fixtures.ts'
import { requires } from '../packages/server/test/support/requires.ts'
import {
  ADMIN_KEY,
  ROOT,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.ts'

const exec = promisify(execFile)
const CLI = join(ROOT, 'packages/cli/bin/granary.js')

describe('granary query piped into htslib tools', requires('htslib'), () => {
  let server: ServerProcess
  let work: string
  let fx: GenomicsFixtures
  /** Runs a shell pipeline with `granary` on the PATH's terms (node + the CLI). */
  const sh = async (script: string) => {
    const { stdout } = await exec('sh', ['-c', script], {
      cwd: work,
      maxBuffer: 64 << 20,
      env: {
        PATH: process.env.PATH ?? '',
        GRANARY_URL: server.url,
        GRANARY_API_KEY: ADMIN_KEY,
        GRANARY: `"${process.execPath}" "${CLI}"`,
      },
    })
    return stdout
  }
  before(async () => {
    fx = await genomicsFixtures()
    server = await startServerProcess()
    work = await mkdtemp(join(tmpdir(), 'granary-e2e-query-'))
    for (const name of ['calls.vcf.gz', 'calls.vcf.gz.tbi', 'reads.bam', 'reads.bam.bai']) {
      await sh(`eval "$GRANARY" upload "${fx.path(name)}" --path g/ >/dev/null`)
    }
  })
  after(async () => {
    await server?.stop()
    if (work) await rm(work, { recursive: true, force: true })
  })

  test('VCF with --header pipes into bcftools view', async () => {
    const piped = await sh(
      'eval "$GRANARY" query g/calls.vcf.gz chr1:1000-9000 chr2:500-800 --header | bcftools view -H -i "QUAL>30"',
    )
    const local = await sh(
      `bcftools view -H -i "QUAL>30" -r chr1:1000-9000,chr2:500-800 "${fx.path('calls.vcf.gz')}"`,
    )
    assert.ok(local.length > 0)
    assert.equal(piped, local)
  })

  test('BAM with --header pipes into samtools view', async () => {
    const piped = await sh(
      'eval "$GRANARY" query g/reads.bam chr2:1000-3000 --header | samtools view -F 16 -',
    )
    const local = await sh(`samtools view -F 16 "${fx.path('reads.bam')}" chr2:1000-3000`)
    assert.ok(local.length > 0)
    assert.equal(piped, local)
  })

  test('--json prints one record per line; header --json names contigs and samples', async () => {
    const json = await sh('eval "$GRANARY" query g/calls.vcf.gz chr1:1000-3000 --json --limit 4')
    const records = json
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    assert.equal(records.length, 4)
    assert.equal(records[0].chrom, 'chr1')
    const header = JSON.parse(await sh('eval "$GRANARY" header g/reads.bam --json'))
    assert.deepEqual(
      header.contigs.map((c: { name: string }) => c.name),
      ['chr1', 'chr2'],
    )
  })
})
