/** The generated genomics fixtures are real files the htslib tools read through their indexes. */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { describe, test } from 'node:test'
import { promisify } from 'node:util'
import { CONTIGS, genomicsFixtures } from '../support/genomics-fixtures.ts'
import { requires } from '../support/requires.ts'

const run = promisify(execFile)

describe('genomics fixtures', requires('htslib'), () => {
  test('every data file answers a region through its index', async () => {
    const fx = await genomicsFixtures()
    const count = async (args: string[]) => (await run(args[0] as string, args.slice(1))).stdout
    const bam = ['reads.bam', 'reads-csi.bam', 'reads-short.bam'].map((name) =>
      count(['samtools', 'view', '-c', fx.path(name), 'chr2:1000-5000']),
    )
    const cram = ['samtools', 'view', '-c', '-T', fx.path('ref.fa'), fx.path('reads.cram')]
    const counts = await Promise.all([...bam, count([...cram, 'chr2:1000-5000'])])
    assert.ok(Number(counts[0]) > 0, 'reads in the region')
    assert.deepEqual(new Set(counts), new Set([counts[0]]), 'BAM (bai, csi, x.bai) and CRAM agree')
    for (const vcf of ['calls.vcf.gz', 'calls-csi.vcf.gz']) {
      const { stdout } = await run('bcftools', ['view', '-H', '-r', 'chr1:100-5000', fx.path(vcf)])
      assert.match(stdout, /^chr1\t\d+\t/)
    }
    const bed = await count(['tabix', fx.path('regions.bed.gz'), 'chr2:1000-5000'])
    assert.match(bed, /^chr2\t/)
    const faidx = await count(['samtools', 'faidx', fx.path('ref.fa.gz'), 'chr1:1-10'])
    assert.equal(faidx, await count(['samtools', 'faidx', fx.path('ref.fa'), 'chr1:1-10']))
  })

  test('the reference has the contigs the module names, once per process', async () => {
    const fx = await genomicsFixtures()
    assert.equal(await genomicsFixtures(), fx)
    const fai = readFileSync(fx.path('ref.fa.fai'), 'utf8').trim().split('\n')
    const contigs = fai.map((line) => line.split('\t').slice(0, 2).join(':'))
    assert.deepEqual(
      contigs,
      CONTIGS.map((c) => `${c.name}:${c.length}`),
    )
  })
})
