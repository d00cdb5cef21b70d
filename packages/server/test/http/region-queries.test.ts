/**
 * Region queries in place (#15 section 2): `format=text` is byte for byte what bcftools, tabix
 * (and samtools) print for the same regions of the same files, read through the index from the
 * blob store on every backend; JSON records, headers and the errors a caller can meet.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { backendMatrix } from '../support/backends.ts'
import {
  CONTIGS,
  type GenomicsFixtures,
  genomicsFixtures,
  SAMPLES,
} from '../support/genomics-fixtures.ts'
import { requires } from '../support/requires.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

const run = promisify(execFile)
const UPLOADED = [
  'calls.vcf.gz',
  'calls.vcf.gz.tbi',
  'calls-csi.vcf.gz',
  'calls-csi.vcf.gz.csi',
  'regions.bed.gz',
  'regions.bed.gz.tbi',
  'reads.bam',
  'reads.bam.bai',
  'reads-csi.bam',
  'reads-csi.bam.csi',
  'reads-short.bam',
  'reads-short.bai',
  'reads.cram',
  'reads.cram.crai',
  'ref.fa',
  'ref.fa.fai',
]

async function tool(command: string, args: string[]): Promise<string> {
  const { stdout } = await run(command, args, { maxBuffer: 64 << 20 })
  return stdout
}

for (const backend of backendMatrix()) {
  describe(`Region queries (${backend.name})`, requires('htslib'), () => {
    let server: TestServer
    let fx: GenomicsFixtures
    before(async () => {
      fx = await genomicsFixtures()
      server = await startTestServer(backend)
      for (const name of UPLOADED) {
        const content = await readFile(fx.path(name))
        const response = await uploadForm(server, { path: 'g/', filename: name, content })
        assert.equal(response.statusCode, 201, response.body)
      }
      // The same VCF without an index, and files of other formats.
      const vcf = await readFile(fx.path('calls.vcf.gz'))
      for (const [filename, content] of [
        ['bare.vcf.gz', vcf],
        ['notes.txt', 'hello'],
        ['plain.bed.gz', Buffer.from('not bgzf at all')],
        ['plain.bed.gz.tbi', await readFile(fx.path('regions.bed.gz.tbi'))],
      ] as const) {
        const response = await uploadForm(server, { path: 'g/', filename, content })
        assert.equal(response.statusCode, 201, response.body)
      }
    })
    after(() => server?.close())

    const query = (key: string, regions: string[], extra: Record<string, string> = {}) => {
      const params = new URLSearchParams({ workspace_id: 'ws_default', key: `g/${key}`, ...extra })
      for (const region of regions) params.append('region', region)
      return server.request({ method: 'GET', url: `/v1/files/query?${params}` })
    }

    test('VCF text is what bcftools view -H -r prints (.tbi and .csi)', async () => {
      const cases = [
        ['chr1:1000-2000'],
        ['chr2:1-5000', 'chr1:10000-12000'],
        ['chr1:100-900', 'chr1:500-3000'],
        ['chr2:29000'],
        ['chr2'],
        ['chr1:1-1'],
      ]
      for (const name of ['calls.vcf.gz', 'calls-csi.vcf.gz']) {
        for (const regions of cases) {
          const response = await query(name, regions)
          assert.equal(response.statusCode, 200, response.body)
          assert.match(String(response.headers['content-type']), /^text\/plain/)
          const expected = await tool('bcftools', [
            'view',
            '-H',
            '-r',
            regions.join(','),
            fx.path(name),
          ])
          assert.equal(response.body, expected, `${name} ${regions}`)
        }
      }
    })

    test('header=true puts the header first, as tabix -h prints it', async () => {
      const response = await query('calls.vcf.gz', ['chr1:20000-21000'], { header: 'true' })
      assert.equal(response.statusCode, 200, response.body)
      const expected = await tool('tabix', ['-h', fx.path('calls.vcf.gz'), 'chr1:20000-21000'])
      assert.equal(response.body, expected)
    })

    test('BED text is what tabix prints, region by region as asked', async () => {
      for (const regions of [
        ['chr1:5000-9000'],
        ['chr2:100-4000', 'chr1:1-3000', 'chr2:2000-2500'],
      ]) {
        const response = await query('regions.bed.gz', regions)
        assert.equal(response.statusCode, 200, response.body)
        const expected = await tool('tabix', [fx.path('regions.bed.gz'), ...regions])
        assert.equal(response.body, expected, String(regions))
      }
    })

    test('BAM text is what samtools view prints (.bam.bai, .bam.csi, .bai), header with -h', async () => {
      const cases = [
        ['chr1:1000-2000'],
        ['chr2:100-400', 'chr1:1000-1100', 'chr1:1050-1200'],
        ['chr2:29900'],
        ['chr1'],
      ]
      for (const name of ['reads.bam', 'reads-csi.bam', 'reads-short.bam']) {
        for (const regions of cases) {
          const response = await query(name, regions)
          assert.equal(response.statusCode, 200, response.body)
          const expected = await tool('samtools', ['view', fx.path(name), ...regions])
          assert.equal(response.body, expected, `${name} ${regions}`)
        }
      }
      const withHeader = await query('reads.bam', ['chr2:5000-5200'], { header: 'true' })
      const expected = await tool('samtools', [
        'view',
        '-h',
        '--no-PG',
        fx.path('reads.bam'),
        'chr2:5000-5200',
      ])
      assert.equal(withHeader.body, expected)
    })

    test('CRAM text (with reference_key) is what samtools view -T prints', async () => {
      const reference = { reference_key: 'g/ref.fa' }
      for (const regions of [['chr1:1000-2000'], ['chr2:100-900', 'chr1:40000-40500'], ['chr2']]) {
        const response = await query('reads.cram', regions, reference)
        assert.equal(response.statusCode, 200, response.body)
        const args = ['view', '-T', fx.path('ref.fa'), fx.path('reads.cram'), ...regions]
        assert.equal(response.body, await tool('samtools', args), String(regions))
      }
      const noReference = await query('reads.cram', ['chr1:1-100'])
      assert.equal(noReference.statusCode, 400, noReference.body)
      assert.match(noReference.json().error.message, /reference_key/)
      const noFai = await query('reads.cram', ['chr1:1-100'], { reference_key: 'g/calls.vcf.gz' })
      assert.equal(noFai.json().error.code, 'index_missing')
    })

    test('format=json streams parsed SAM records', async () => {
      const response = await query('reads.bam', ['chr1:3000-3200'], { format: 'json' })
      assert.equal(response.statusCode, 200, response.body)
      const text = await tool('samtools', ['view', fx.path('reads.bam'), 'chr1:3000-3200'])
      const lines = text.trim().split('\n')
      const records = response.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
      assert.equal(records.length, lines.length)
      for (const [index, record] of records.entries()) {
        const f = (lines[index] ?? '').split('\t')
        assert.deepEqual(
          [record.name, record.flag, record.chrom, record.pos, record.mapq, record.cigar],
          [f[0], Number(f[1]), f[2], Number(f[3]), Number(f[4]), f[5]],
        )
        assert.deepEqual(record.mate, { chrom: f[6], pos: Number(f[7]) })
        assert.deepEqual([record.tlen, record.seq, record.qual], [Number(f[8]), f[9], f[10]])
        assert.deepEqual(record.tags, { RG: 'rg1' })
      }
    })

    test('limit caps the records', async () => {
      const response = await query('calls.vcf.gz', ['chr1'], { limit: '3' })
      assert.equal(response.body.split('\n').filter(Boolean).length, 3)
    })

    test('format=json streams one parsed VCF record per line', async () => {
      const response = await query('calls.vcf.gz', ['chr1:1000-5000'], { format: 'json' })
      assert.equal(response.statusCode, 200, response.body)
      assert.match(String(response.headers['content-type']), /^application\/x-ndjson/)
      const text = await tool('bcftools', [
        'view',
        '-H',
        '-r',
        'chr1:1000-5000',
        fx.path('calls.vcf.gz'),
      ])
      const lines = text.trim().split('\n')
      const records = response.body
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line))
      assert.equal(records.length, lines.length)
      for (const [index, record] of records.entries()) {
        const fields = (lines[index] ?? '').split('\t')
        assert.equal(record.chrom, fields[0])
        assert.equal(record.pos, Number(fields[1]))
        assert.deepEqual(record.id, fields[2] === '.' ? null : [fields[2]])
        assert.equal(record.ref, fields[3])
        assert.deepEqual(record.alt, [fields[4]])
        assert.equal(record.qual, Number(fields[5]))
        assert.deepEqual(record.info.DP, [Number((fields[7] ?? '').slice(3))])
        assert.deepEqual(Object.keys(record.samples), [...SAMPLES])
        assert.equal(record.samples.NA001.GT[0], (fields[9] ?? '').split(':')[0])
      }
    })

    test('the header call answers the header text, contigs and samples', async () => {
      const response = await server.request({
        method: 'GET',
        url: '/v1/files/header',
        query: { workspace_id: 'ws_default', key: 'g/calls.vcf.gz' },
      })
      assert.equal(response.statusCode, 200, response.body)
      const body = response.json()
      assert.equal(body.format, 'vcf')
      assert.deepEqual(
        body.contigs,
        CONTIGS.map((c) => ({ name: c.name, length: c.length })),
      )
      assert.deepEqual(body.samples, [...SAMPLES])
      assert.equal(body.header, await tool('tabix', ['-H', fx.path('calls.vcf.gz')]))
      const bed = await server.request({
        method: 'GET',
        url: '/v1/files/header',
        query: { workspace_id: 'ws_default', key: 'g/regions.bed.gz' },
      })
      assert.deepEqual(
        bed.json().contigs,
        CONTIGS.map((c) => ({ name: c.name, length: null })),
      )
    })

    test('a replaced file and index are read afresh (the cache is keyed by blob)', async () => {
      const upload = async (filename: string, path: string) => {
        const content = await readFile(path)
        const fields = { overwrite: 'true' }
        const response = await uploadForm(server, { path: 'r/', filename, content, fields })
        assert.equal(response.statusCode, 201, response.body)
      }
      const ask = async (region: string) => {
        const url = `/v1/files/query?workspace_id=ws_default&key=r/x.vcf.gz&region=${region}`
        return (await server.request({ method: 'GET', url })).body
      }
      const bcftools = (path: string, region: string) =>
        tool('bcftools', ['view', '-H', '-r', region, path])
      await upload('x.vcf.gz', fx.path('calls.vcf.gz'))
      await upload('x.vcf.gz.tbi', fx.path('calls.vcf.gz.tbi'))
      const before = await ask('chr2:1-3000')
      assert.equal(before, await bcftools(fx.path('calls.vcf.gz'), 'chr2:1-3000'))
      // The same header, only chr2's second half: other bytes, another index.
      const other = join(fx.dir, 'replaced-x.vcf.gz')
      await tool('bcftools', [
        'view',
        '-r',
        'chr2:15000-30000',
        '-Oz',
        '-o',
        other,
        fx.path('calls.vcf.gz'),
      ])
      await tool('tabix', ['-f', '-p', 'vcf', other])
      await upload('x.vcf.gz', other)
      await upload('x.vcf.gz.tbi', `${other}.tbi`)
      assert.equal(await ask('chr2:1-3000'), '')
      assert.equal(await ask('chr2:15000-16000'), await bcftools(other, 'chr2:15000-16000'))
    })

    test('errors: index_missing, invalid_region, unsupported_format, file_not_found', async () => {
      const missing = await query('bare.vcf.gz', ['chr1:1-100'])
      assert.equal(missing.statusCode, 422, missing.body)
      assert.equal(missing.json().error.code, 'index_missing')
      assert.deepEqual(missing.json().error.details.looked_for, [
        'g/bare.vcf.gz.tbi',
        'g/bare.vcf.gz.csi',
      ])
      for (const region of ['chrX:1-100', 'chr1:200-100', 'chr1:abc']) {
        const bad = await query('calls.vcf.gz', [region])
        assert.equal(bad.statusCode, 400, `${region}: ${bad.body}`)
        assert.equal(bad.json().error.code, 'invalid_region')
        assert.deepEqual(bad.json().error.details.known_contigs, ['chr1', 'chr2'])
      }
      const text = await query('notes.txt', ['chr1'])
      assert.equal(text.statusCode, 415, text.body)
      assert.equal(text.json().error.code, 'unsupported_format')
      const notBgzf = await query('plain.bed.gz', ['chr1:1-100000'])
      assert.equal(notBgzf.statusCode, 415, notBgzf.body)
      assert.equal(notBgzf.json().error.code, 'unsupported_format')
      const absent = await query('nothing.vcf.gz', ['chr1'])
      assert.equal(absent.statusCode, 404, absent.body)
      const noRegion = await server.request({
        method: 'GET',
        url: '/v1/files/query',
        query: { workspace_id: 'ws_default', key: 'g/calls.vcf.gz' },
      })
      assert.equal(noRegion.json().error.code, 'invalid_request')
    })

    test('queries need files:read and a granted workspace', async () => {
      const writer = await server.key(['files:write'], ['ws_default'])
      const params = 'workspace_id=ws_default&key=g/calls.vcf.gz&region=chr1'
      const refused = await server.request({
        method: 'GET',
        url: `/v1/files/query?${params}`,
        as: writer,
      })
      assert.equal(refused.statusCode, 403)
      const reader = await server.key(['files:read'], ['ws_default'])
      const allowed = await server.request({
        method: 'GET',
        url: `/v1/files/query?${params}`,
        as: reader,
      })
      assert.equal(allowed.statusCode, 200)
      const other = await server.request({
        method: 'GET',
        url: '/v1/files/header?workspace_id=ws_other&key=g/calls.vcf.gz',
        as: reader,
      })
      assert.equal(other.json().error.code, 'workspace_not_found')
    })
  })
}
