/**
 * `files.query` / `files.queryStream` / `files.header` against the real app in-process, on every
 * backend: text lines are what bcftools prints, JSON records parse, errors are ApiErrors.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { backendMatrix } from '../../server/test/support/backends.ts'
import {
  type GenomicsFixtures,
  genomicsFixtures,
  SAMPLES,
} from '../../server/test/support/genomics-fixtures.ts'
import { injectFetch } from '../../server/test/support/inject-fetch.ts'
import { requires } from '../../server/test/support/requires.ts'
import {
  ADMIN_KEY,
  PUBLIC_URL,
  startTestServer,
  type TestServer,
} from '../../server/test/support/test-server.ts'
import { ApiError } from './errors.ts'
import { Granary } from './granary.ts'

const run = promisify(execFile)

for (const backend of backendMatrix()) {
  describe(`files.query (${backend.name})`, requires('htslib'), () => {
    let server: TestServer
    let client: Granary
    let fx: GenomicsFixtures
    before(async () => {
      fx = await genomicsFixtures()
      server = await startTestServer(backend)
      const fetch = injectFetch(server.app, PUBLIC_URL)
      client = new Granary({
        baseUrl: PUBLIC_URL,
        apiKey: ADMIN_KEY,
        workspaceId: 'ws_default',
        fetch,
      })
      for (const name of ['calls.vcf.gz', 'calls.vcf.gz.tbi']) {
        await client.files.upload(new Blob([await readFile(fx.path(name))]), {
          filename: name,
          path: 'v/',
        })
      }
    })
    after(() => server?.close())

    test('text lines are what bcftools view -H -r prints; several regions', async () => {
      const regions = ['chr1:2000-4000', 'chr2:100-900']
      const got: string[] = []
      for await (const line of client.files.query('v/calls.vcf.gz', { region: regions }))
        got.push(line)
      const { stdout } = await run('bcftools', [
        'view',
        '-H',
        '-r',
        regions.join(','),
        fx.path('calls.vcf.gz'),
      ])
      assert.equal(`${got.join('\n')}\n`, stdout)
    })

    test('json records, header, and the raw stream', async () => {
      const records = []
      for await (const record of client.files.query('v/calls.vcf.gz', {
        region: 'chr2:1000-3000',
        format: 'json',
        limit: 5,
      })) {
        records.push(record)
      }
      assert.equal(records.length, 5)
      assert.equal(records[0]?.chrom, 'chr2')
      assert.deepEqual(Object.keys(records[0]?.samples ?? {}), [...SAMPLES])
      const header = await client.files.header('v/calls.vcf.gz')
      assert.deepEqual(header.samples, [...SAMPLES])
      const body = await client.files.queryStream('v/calls.vcf.gz', {
        region: 'chr1:1-500',
        header: true,
      })
      const text = await new Response(body).text()
      const { stdout } = await run('tabix', ['-h', fx.path('calls.vcf.gz'), 'chr1:1-500'])
      assert.equal(text, stdout)
    })

    test('errors are ApiErrors with the stable codes', async () => {
      const drain = async (region: string) => {
        for await (const _ of client.files.query('v/calls.vcf.gz', { region })) {
        }
      }
      await assert.rejects(drain('chrZ:1-10'), (error: unknown) => {
        assert.ok(error instanceof ApiError)
        assert.equal(error.status, 400)
        assert.equal(error.code, 'invalid_region')
        return true
      })
    })
  })
}
