/** The built UI: small enough for a slow lab network, and nothing the CSP would refuse. */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { buildWeb, type MeasuredFile } from '../build.mjs'

const INITIAL_JS_BUDGET = 100 * 1024

describe('web UI bundle', () => {
  let outdir: string
  let initial: MeasuredFile[]

  before(async () => {
    const dir = await mkdtemp(join(tmpdir(), 'granary-web-build-'))
    ;({ outdir, initial } = await buildWeb(join(dir, 'dist')))
  })
  after(() => rm(join(outdir, '..'), { recursive: true, force: true }))

  it('loads at most 100 KB of gzipped JavaScript before the first screen', () => {
    const js = initial.filter((f) => f.file.endsWith('.js'))
    assert.ok(js.length > 0)
    const total = js.reduce((sum, f) => sum + f.gzipped, 0)
    console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped (${js.length} files)`)
    assert.ok(total <= INITIAL_JS_BUDGET, `${total} bytes gzipped is over the 100 KB budget`)
  })

  it('keeps the admin screens and the preview out of the initial load', async () => {
    const files = await readdir(join(outdir, 'assets'))
    for (const lazy of ['admin-', 'preview-']) {
      assert.ok(
        files.some((f) => f.startsWith(lazy)),
        `${lazy}* chunk missing`,
      )
      assert.ok(!initial.some((f) => f.file.startsWith(lazy)), `${lazy}* is in the initial load`)
    }
  })

  it('keeps igv on its own page: viewer.html loads only the viewer script, never in the initial load', async () => {
    const html = await readFile(join(outdir, 'viewer.html'), 'utf8')
    const scripts = html.match(/<script[^>]*>[^<]*<\/script>/g) ?? []
    assert.equal(scripts.length, 1)
    assert.match(
      scripts[0] ?? '',
      /^<script type="module" src="\/assets\/viewer-[A-Z0-9]+\.js"><\/script>$/,
    )
    assert.doesNotMatch(html, /\son[a-z]+=/i)
    assert.ok(!initial.some((f) => f.file.startsWith('viewer-')), 'igv is in the initial load')
    const index = await readFile(join(outdir, 'index.html'), 'utf8')
    assert.doesNotMatch(index, /viewer-/)
  })

  it('writes an index.html without inline script, naming hashed assets', async () => {
    const html = await readFile(join(outdir, 'index.html'), 'utf8')
    for (const tag of html.match(/<script[^>]*>[^<]*<\/script>/g) ?? []) {
      assert.match(tag, /^<script type="module" src="\/assets\/app-[A-Z0-9]+\.js"><\/script>$/)
    }
    assert.doesNotMatch(html, /\son[a-z]+=/i)
    assert.match(html, /href="\/assets\/app-[A-Z0-9]+\.css"/)
  })
})
