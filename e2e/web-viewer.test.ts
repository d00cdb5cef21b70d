/**
 * The genome viewer in a real browser (Debian's chromium driven by playwright-core) against a real
 * server process on the embedded default: an indexed VCF's "View" opens /viewer.html, where igv
 * reads the file and its index through the Granary link, with no CSP violation, while the main
 * page keeps its strict CSP. GRANARY_UI_SCREENSHOTS=<folder> also saves the viewer's screenshot.
 */
import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Granary } from '@granary/client'
import type { Browser } from 'playwright-core'
import { genomicsFixtures } from '../packages/server/test/support/genomics-fixtures.ts'
import { requires } from '../packages/server/test/support/requires.ts'
import { buildWeb } from '../packages/web/build.mjs'
import { launchBrowser } from './support/browser.ts'
import { ADMIN_KEY, type ServerProcess, startServerProcess } from './support/server-process.ts'

describe('genome viewer', requires('htslib'), () => {
  let work: string
  let browser: Browser
  let server: ServerProcess

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'granary-web-viewer-'))
    const webDir = (await buildWeb(join(work, 'web'))).outdir
    browser = await launchBrowser()
    server = await startServerProcess({ GRANARY_WEB_DIR: webDir })
    const admin = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' })
    const fx = await genomicsFixtures()
    for (const name of ['calls.vcf.gz', 'calls.vcf.gz.tbi']) {
      await admin.files.upload(fx.path(name))
    }
  })
  after(async () => {
    await browser?.close()
    await server?.stop()
    await rm(work, { recursive: true, force: true })
  })

  test('"View" on an indexed VCF shows its igv track through Granary links, CSP intact', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
    const cspViolations: string[] = []
    const read: string[] = []
    context.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text())
    })
    context.on('request', (request) => read.push(new URL(request.url()).pathname))
    const page = await context.newPage()
    page.setDefaultTimeout(20_000)
    const main = await page.goto(server.url)
    const mainCsp = (await main?.allHeaders())?.['content-security-policy'] ?? ''
    assert.match(mainCsp, /style-src 'self';/)
    assert.doesNotMatch(mainCsp, /unsafe-inline|unsafe-eval/)
    await page.getByLabel('API key').fill(ADMIN_KEY)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('table.files tbody tr[data-key="calls.vcf.gz"]').click()
    const [viewer] = await Promise.all([
      context.waitForEvent('page'),
      page.getByRole('button', { name: 'View', exact: true }).click(),
    ])
    await viewer.getByRole('status').getByText('Showing calls.vcf.gz').waitFor()
    await viewer.locator('.igv-track-label', { hasText: 'calls.vcf.gz' }).waitFor()
    assert.equal(new URL(viewer.url()).pathname, '/viewer.html')
    const screenshots = process.env.GRANARY_UI_SCREENSHOTS
    if (screenshots) await viewer.screenshot({ path: join(screenshots, 'viewer.png') })
    assert.ok(
      read.some((path) => path.endsWith('/calls.vcf.gz')),
      'igv read the VCF',
    )
    assert.ok(
      read.some((path) => path.endsWith('/calls.vcf.gz.tbi')),
      'igv read its index',
    )
    assert.deepEqual(cspViolations, [])
    await context.close()
  })
})
