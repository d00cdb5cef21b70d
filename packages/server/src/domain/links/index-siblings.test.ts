import assert from 'node:assert/strict'
import { test } from 'node:test'
import { dataKeysServing, indexSiblings } from './index-siblings.ts'

test('each data format has the index names htslib looks for, in its folder', () => {
  assert.deepEqual(indexSiblings('bam/x.bam'), [
    'bam/x.bam.bai',
    'bam/x.bam.csi',
    'bam/x.bai',
    'bam/x.csi',
  ])
  assert.deepEqual(indexSiblings('x.cram'), ['x.cram.crai', 'x.crai'])
  assert.deepEqual(indexSiblings('calls/x.vcf.gz'), ['calls/x.vcf.gz.tbi', 'calls/x.vcf.gz.csi'])
  assert.deepEqual(indexSiblings('r.bed.gz'), ['r.bed.gz.tbi', 'r.bed.gz.csi'])
  assert.deepEqual(indexSiblings('ref.fa'), ['ref.fa.fai'])
  assert.deepEqual(indexSiblings('ref.fa.gz'), ['ref.fa.gz.fai', 'ref.fa.gz.gzi'])
  assert.deepEqual(indexSiblings('x.bcf'), ['x.bcf.csi'])
  assert.deepEqual(indexSiblings('notes.txt'), [])
  assert.deepEqual(indexSiblings('x.vcf'), [], 'plain VCF has no index')
})

test('a requested name maps back to the data files whose link may serve it', () => {
  const serving = (name: string, data: string) => assert.ok(dataKeysServing(name).includes(data))
  serving('bam/x.bam.bai', 'bam/x.bam')
  serving('bam/x.bai', 'bam/x.bam')
  serving('bam/x.csi', 'bam/x.bam')
  serving('x.cram.crai', 'x.cram')
  serving('x.crai', 'x.cram')
  serving('c.vcf.gz.tbi', 'c.vcf.gz')
  serving('c.vcf.gz.csi', 'c.vcf.gz')
  serving('ref.fa.fai', 'ref.fa')
  serving('ref.fa.gz.gzi', 'ref.fa.gz')
  // By the same rules, `x.bam.bam` is a BAM whose `x.bam.bai` htslib would also find.
  assert.deepEqual(dataKeysServing('x.bam.bai'), ['x.bam.bai', 'x.bam', 'x.bam.bam'])
  // Not an index name by htslib's rules: only the name itself.
  assert.deepEqual(dataKeysServing('x.vcf.tbi'), ['x.vcf.tbi'])
  assert.deepEqual(dataKeysServing('x.txt.tbi'), ['x.txt.tbi'])
  assert.deepEqual(dataKeysServing('other/secret.txt'), ['other/secret.txt'])
  assert.deepEqual(dataKeysServing('x.bam'), ['x.bam'])
})
