/**
 * A region query reads what the index names and little more (#15): a 10 kb region of a 1.3 MB
 * VCF pulls a few tens of KiB from the store (index, header block, the region's blocks), counted by
 * the query's ReadMeter, and its output is still what tabix prints.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import type { BlobSource } from '../../src/domain/genomics/blob-filehandle.ts'
import { IndexCache } from '../../src/domain/genomics/index-cache.ts'
import { queryRecords } from '../../src/domain/genomics/query-stream.ts'
import { ReadMeter } from '../../src/domain/genomics/read-meter.ts'
import { parseRegion } from '../../src/domain/genomics/regions.ts'
import { openTabixFile } from '../../src/domain/genomics/tabix-file.ts'
import { LocalBlobStore } from '../../src/storage/local/local-blob-store.ts'
import { requires } from '../support/requires.ts'

const run = promisify(execFile)
const RECORDS = 200_000

/** A sorted single-contig VCF, one SNP every 10 bp, 4 samples. */
function bigVcf(): string {
  const lines = [
    '##fileformat=VCFv4.2',
    '##contig=<ID=chr1,length=3000000>',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1\tS2\tS3\tS4',
  ]
  for (let i = 1; i <= RECORDS; i++) {
    const gt = ['0/0', '0/1', '1/1', './.'][i % 4]
    lines.push(
      `chr1\t${i * 10}\trs${i}\tA\tG\t${i % 100}\tPASS\tDP=${i % 97}\tGT\t${gt}\t${gt}\t0/1\t1/1`,
    )
  }
  return `${lines.join('\n')}\n`
}

describe('Region query reads', requires('htslib'), () => {
  let dir: string
  let store: LocalBlobStore
  let vcfPath: string
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'granary-query-reads-'))
    const plain = join(dir, 'big.vcf')
    await writeFile(plain, bigVcf())
    await run('bgzip', ['-f', plain])
    vcfPath = `${plain}.gz`
    await run('tabix', ['-p', 'vcf', vcfPath])
    store = await LocalBlobStore.open(join(dir, 'store'))
    for (const name of ['big.vcf.gz', 'big.vcf.gz.tbi']) {
      await store.put(name, createReadStream(join(dir, name)))
    }
  })
  after(async () => {
    await store?.close()
    await rm(dir, { recursive: true, force: true })
  })

  const source = async (name: string, meter: ReadMeter): Promise<BlobSource> => ({
    blobs: store,
    blobName: name,
    size: (await stat(join(dir, name))).size,
    meter,
  })

  test('a 10 kb region of a large file reads a few blocks, not the file', async (t) => {
    const cache = new IndexCache(64 << 20)
    const region = 'chr1:1000000-1010000'
    const read = async () => {
      const meter = new ReadMeter()
      const file = await openTabixFile({
        data: await source('big.vcf.gz', meter),
        index: await source('big.vcf.gz.tbi', meter),
        csi: false,
        vcf: true,
        cache,
      })
      const regions = [parseRegion(region, ['chr1'])]
      const output = queryRecords(file, {
        regions,
        limit: undefined,
        format: 'text',
        header: false,
        meter,
      })
      const chunks: Buffer[] = []
      for await (const chunk of output.body) chunks.push(chunk)
      return { text: Buffer.concat(chunks).toString(), bytes: meter.bytes }
    }
    const fileSize = (await stat(vcfPath)).size
    const indexSize = (await stat(`${vcfPath}.tbi`)).size
    const cold = await read()
    const warm = await read()
    t.diagnostic(
      `file ${fileSize} B, index ${indexSize} B; read cold ${cold.bytes} B, warm ${warm.bytes} B`,
    )
    const { stdout } = await run('tabix', [vcfPath, region], { maxBuffer: 1 << 24 })
    assert.equal(cold.text, stdout)
    assert.equal(warm.text, stdout)
    assert.equal(stdout.split('\n').length - 1, 1001)
    assert.ok(fileSize > 1_000_000, `the file is large (${fileSize} bytes)`)
    // Cold: the index, the header's first block and the region's blocks (each at most 64 KiB).
    assert.ok(cold.bytes <= indexSize + 2 * 65536, `cold query read ${cold.bytes} bytes`)
    // Warm: index and header cached, only the region's blocks.
    assert.ok(warm.bytes <= 65536, `warm query read ${warm.bytes} bytes`)
    assert.ok(warm.bytes < cold.bytes)
  })
})
