import assert from 'node:assert/strict'
import { test } from 'node:test'
import { contentTypeFor } from './content-types.ts'

const cases: Array<[string, string]> = [
  ['calls.vcf', 'text/x-vcf'],
  ['calls.vcf.gz', 'application/gzip'],
  ['calls.bcf', 'application/octet-stream'],
  ['reads.bam', 'application/octet-stream'],
  ['reads.bam.bai', 'application/octet-stream'],
  ['reads.cram', 'application/octet-stream'],
  ['reads.cram.crai', 'application/octet-stream'],
  ['ref.fa', 'text/plain'],
  ['ref.fa.fai', 'text/tab-separated-values'],
  ['R1.fastq.gz', 'application/gzip'],
  ['peaks.bed.gz', 'application/gzip'],
  ['calls.vcf.gz.tbi', 'application/octet-stream'],
  ['calls.vcf.gz.csi', 'application/octet-stream'],
  ['genes.gff3', 'text/plain'],
  ['table.parquet', 'application/vnd.apache.parquet'],
  ['matrix.h5', 'application/x-hdf5'],
  ['notes.txt', 'text/plain'],
  ['README', 'application/octet-stream'],
]

test('the server names the type of the formats genomics uses, whatever was guessed', () => {
  // What curl (nothing), the clients (octet-stream), Python's mimetypes and browsers send.
  const declarations = [undefined, '', 'application/octet-stream', 'text/vcard', 'text/x-vcard']
  for (const [name, expected] of cases) {
    for (const declared of declarations) {
      const expectedForUnknown = declared === 'text/vcard' || declared === 'text/x-vcard'
      // A vCard guess for a file the server has no type for stays what the client said.
      if (expectedForUnknown && (name === 'notes.txt' || name === 'README')) continue
      assert.equal(contentTypeFor(name, declared), expected, `${name} declared ${declared}`)
    }
  }
  assert.equal(contentTypeFor('CALLS.VCF.GZ', 'application/x-gzip'), 'application/gzip')
})

test('a type the client chose on purpose is kept', () => {
  assert.equal(contentTypeFor('calls.vcf', 'text/plain'), 'text/plain')
  assert.equal(contentTypeFor('x.bam', 'application/x-bam'), 'application/x-bam')
  assert.equal(contentTypeFor('card.vcf', 'text/vcard; charset=utf-8'), 'text/x-vcf')
  assert.equal(contentTypeFor('contact.txt', 'text/vcard'), 'text/vcard')
  assert.equal(contentTypeFor('x.bin', 'not a type'), 'application/octet-stream')
})
