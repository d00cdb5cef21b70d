/**
 * The proof of issue #15 point 1: samtools, bcftools and tabix read Granary links with no
 * `##idx##`, finding each index beside the file by their own naming rules, and print byte for
 * byte what they print for the local files: BAM (.bai, x.bai, .csi), CRAM (.crai, with -T),
 * VCF (.tbi, .csi), BED (.tbi) and a bgzipped FASTA (.fai, .gzi), on local and S3 storage (where
 * every request is a 307 to a presigned URL). One server per storage kind; metadata does not
 * matter here.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { backendMatrix } from '../support/backends.ts'
import { type GenomicsServer, startGenomicsServer } from '../support/genomics-server.ts'
import { requires } from '../support/requires.ts'

const run = promisify(execFile)

/** One backend per storage kind: the links behave the same whatever holds the metadata. */
const backends = [
  ...new Map(backendMatrix().map((b) => [b.name.split('+')[1], b] as const)).values(),
]

for (const backend of backends) {
  describe(`htslib tools on Granary links (${backend.name})`, requires('htslib'), () => {
    let g: GenomicsServer
    const scratch: string[] = []
    before(async () => {
      // link=granary by default on both kinds: the S3 case is then the server-wide setting.
      g = await startGenomicsServer(backend, { GRANARY_LINKS: 'granary' })
    })
    after(async () => {
      await g?.server.close()
      for (const dir of scratch) await rm(dir, { recursive: true, force: true })
    })

    const link = async (name: string) => {
      const response = await g.server.request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key: `${g.folder}${name}` },
      })
      assert.equal(response.statusCode, 200, response.body)
      const url = response.json().url as string
      assert.ok(url.startsWith(`${g.url}/v1/links/`), url)
      assert.ok(!url.includes('##idx##') && !url.includes('?'), url)
      return url
    }
    /**
     * Runs a tool from an empty folder (htslib caches downloaded indexes in the current folder,
     * and a cached one would hide a link that cannot serve its index).
     */
    const tool = async (command: string, args: string[]) => {
      const cwd = await mkdtemp(join(tmpdir(), 'granary-htslib-'))
      scratch.push(cwd)
      const { stdout } = await run(command, args, { cwd, maxBuffer: 64 << 20 })
      return stdout
    }
    /** The tool's output for the link equals its output for the local file, and is not empty. */
    const same = async (command: string, args: (file: string) => string[], name: string) => {
      const remote = await tool(command, args(await link(name)))
      const local = await tool(command, args(g.fixtures.path(name)))
      assert.ok(local.length > 0, `${command} printed nothing for ${name}`)
      // Not assert.equal: a failure would print megabytes; say where the outputs part instead.
      const line = firstDifference(remote, local)
      assert.ok(line === undefined, `${command} ${name}: outputs differ at line ${line}`)
    }

    test('samtools view: BAM with x.bam.bai, x.bai and x.bam.csi; CRAM with -T', async () => {
      const region = (file: string) => ['view', file, 'chr1:1000-2000', 'chr2:5000-5400']
      await same('samtools', region, 'reads.bam')
      await same('samtools', region, 'reads-short.bam')
      await same('samtools', region, 'reads-csi.bam')
      const ref = g.fixtures.path('ref.fa')
      await same('samtools', (file) => ['view', '-T', ref, file, 'chr2:1000-3000'], 'reads.cram')
    })

    test('bcftools view -r and tabix: VCF with .tbi and .csi, BED with .tbi', async () => {
      // --no-version: no header line naming the command (its file path) and the date.
      const bcftools = (file: string) => ['view', '--no-version', '-r', 'chr1:100-5000', file]
      await same('bcftools', bcftools, 'calls.vcf.gz')
      await same('tabix', (file) => [file, 'chr2:1000-9000'], 'calls-csi.vcf.gz')
      await same('tabix', (file) => [file, 'chr1:100-20000'], 'regions.bed.gz')
    })

    test('samtools faidx: a bgzipped FASTA with its .fai and .gzi', async () => {
      await same('samtools', (file) => ['faidx', file, 'chr2:100-700'], 'ref.fa.gz')
    })
  })
}

/** The 1-based line where two outputs first differ, or undefined when they are equal. */
function firstDifference(a: string, b: string): number | undefined {
  if (a === b) return undefined
  const left = a.split('\n')
  const right = b.split('\n')
  const index = left.findIndex((line, i) => line !== right[i])
  return (index < 0 ? left.length : index) + 1
}
