/**
 * Runs the harness with tiny sizes (the smoke profile: 12 MiB, one round, 2,000 listed files),
 * only the form-upload, multipart-session and listing parts, and checks the result is well
 * formed: every peer got a finite ratio, and the listing numbers exist. It proves the harness
 * works, not the speed.
 */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { parseArgs, writeResults } from './cli.ts'
import { sections } from './report/sections.ts'
import { runBench } from './run-bench.ts'
import { FASTIFY, GRANARY, LIMIT, TUS } from './support/peers.ts'

const positive = (value: number | undefined) => typeof value === 'number' && value > 0

test('the harness measures the form upload against every peer, the multipart session and the listing', {
  timeout: 120_000,
}, async () => {
  const out = await mkdtemp(join(tmpdir(), 'granary-bench-smoke-'))
  try {
    const cli = parseArgs(['--smoke', '--parts=upload,multipart,listing', `--out=${out}`])
    assert.equal(cli.docs, false)
    const result = await runBench(cli)
    const upload = result.upload
    assert.ok(upload, 'an upload comparison')
    for (const name of [GRANARY, LIMIT, TUS, FASTIFY]) {
      const stats = upload.configs[name]
      assert.ok(positive(stats?.mbPerSecond.median), `${name} MB/s`)
      assert.ok(positive(stats?.peakRssBytes.median), `${name} peak RSS`)
    }
    for (const peer of [LIMIT, TUS, FASTIFY]) {
      assert.ok(positive(upload.ratios[`${GRANARY}/${peer}`]?.median), `a ratio to ${peer}`)
    }
    const multipart = result.multipart
    assert.ok(multipart, 'a multipart comparison')
    assert.equal(multipart.partCount, 3)
    for (const name of [GRANARY, LIMIT]) {
      assert.ok(positive(multipart.configs[name]?.mbPerSecond.median), `${name} multipart MB/s`)
    }
    assert.ok(positive(multipart.ratios[`${GRANARY}/${LIMIT}`]?.median), 'a multipart ratio')
    const listing = result.listing
    assert.ok(listing, 'a listing result')
    assert.ok(positive(listing.inProcess.storePage.p99Ms))
    assert.ok(positive(listing.inProcess.cursorWalk.rowsPerSecond))
    assert.ok(positive(listing.http.ratios['list/healthz']?.median))
    assert.ok(positive(listing.http.ratios['list/baseline']?.median), 'list vs the baseline')
    assert.ok(positive(listing.http.ratios['folders/baseline']?.median), 'folders vs the baseline')
    assert.ok(sections(result).length >= 5)
    const written = JSON.parse(await readFile(await writeResults(result, cli), 'utf8'))
    assert.equal(written.mode, 'smoke')
  } finally {
    await rm(out, { recursive: true, force: true })
  }
})
