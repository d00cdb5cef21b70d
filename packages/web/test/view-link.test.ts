/** The viewer's address: what the "View" button writes is what the viewer page reads. */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { parseViewRequest, viewableFormat, viewerHref } from '../src/viewer/view-link.ts'

describe('viewer link', () => {
  it('knows the indexed formats igv can show, by name', () => {
    assert.equal(viewableFormat('a/reads.bam'), 'bam')
    assert.equal(viewableFormat('calls.vcf.gz'), 'vcf')
    assert.equal(viewableFormat('regions.bed.gz'), 'bed')
    // CRAM waits for its reference sequence.
    for (const other of [
      'reads.cram',
      'calls.vcf',
      'calls.vcf.gz.tbi',
      'reads.bam.bai',
      'notes.txt',
    ]) {
      assert.equal(viewableFormat(other), undefined, other)
    }
  })

  it('round-trips through the fragment, signed links and contigs intact', () => {
    const request = {
      name: 'calls.vcf.gz',
      format: 'vcf' as const,
      url: 'http://127.0.0.1:8080/l/sig&x=1/calls.vcf.gz',
      indexUrl: 'http://127.0.0.1:8080/l/sig&x=1/calls.vcf.gz.tbi',
      contigs: [
        { name: 'chr1', length: 50_000 },
        { name: 'HLA-A*01:01', length: 3_503 },
      ],
    }
    const href = viewerHref(request)
    assert.match(href, /^\/viewer\.html#/)
    assert.deepEqual(parseViewRequest(href.slice(href.indexOf('#'))), request)
  })

  it('answers nothing for an incomplete fragment', () => {
    assert.equal(parseViewRequest(''), undefined)
    assert.equal(parseViewRequest('#name=x.bam&format=bam&url=u'), undefined)
    assert.equal(parseViewRequest('#name=x&format=exe&url=u&index=i'), undefined)
  })
})
