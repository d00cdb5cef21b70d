/**
 * The web UI in a real browser (Debian's chromium driven by playwright-core) against a real
 * server process: on the embedded default (SQLite + data folder) and on PostgreSQL + S3 (Ceph
 * RGW, with the bucket's CORS rules set through the admin API as an operator would).
 * GRANARY_UI_SCREENSHOTS=<folder> also saves a screenshot of each main screen (docs/ui/).
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { ApiError, Granary } from '@granary/client'
import type { Browser, Locator, Page } from 'playwright-core'
import { buildWeb } from '../packages/web/build.mjs'
import { launchBrowser } from './support/browser.ts'
import { ADMIN_KEY, type ServerProcess, startServerProcess } from './support/server-process.ts'
import { testBackends } from './support/web-backends.ts'

const MiB = 1024 * 1024
const require = createRequire(import.meta.url)
/** A 1x1 PNG. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
)
const screenshots = process.env.GRANARY_UI_SCREENSHOTS
const VCF = [
  '##fileformat=VCFv4.2',
  '##contig=<ID=chr1,length=248956422>',
  '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO',
  'chr1\t10177\trs367896724\tA\tAC\t100\tPASS\tAF=0.42',
  'chr1\t10352\trs555500075\tT\tTA\t100\tPASS\tAF=0.44',
  '',
].join('\n')

let work: string
let webDir: string
let browser: Browser

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'granary-web-ui-'))
  webDir = (await buildWeb(join(work, 'web'))).outdir
  browser = await launchBrowser()
})
after(async () => {
  await browser?.close()
  await rm(work, { recursive: true, force: true })
})

for (const backend of testBackends()) {
  describe(`web UI on ${backend.name}`, () => {
    let server: ServerProcess
    let page: Page
    let admin: Granary
    let files: string
    const cspViolations: string[] = []
    const shot = async (name: string) => {
      if (!screenshots || !backend.screenshots) return
      await mkdir(screenshots, { recursive: true })
      await page.screenshot({ path: join(screenshots, `${name}.png`) })
    }

    before(async () => {
      const env = await backend.env()
      server = await startServerProcess({ ...env, GRANARY_WEB_DIR: webDir })
      admin = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' })
      files = join(work, backend.name.replace(/\W+/g, '-'))
      await mkdir(join(files, 'run1', 'lane1'), { recursive: true })
      await writeFile(join(files, 'sample.vcf'), VCF)
      await writeFile(join(files, 'notes.txt'), 'first version\n')
      await writeFile(join(files, 'run1', 'lane1', 'reads.fastq'), '@r1\nACGT\n+\nIIII\n')
      await writeFile(join(files, 'run1', 'summary.csv'), 'sample,reads\ns1,100\n')
      const context = await browser.newContext({ viewport: { width: 1280, height: 800 } })
      page = await context.newPage()
      page.setDefaultTimeout(15_000)
      page.on('console', (message) => {
        if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text())
      })
    })
    after(async () => {
      await page?.context().close()
      await server?.stop()
      await backend.cleanup()
    })

    test('sign in: a wrong key is refused, the right one opens the workspace', async () => {
      await page.goto(server.url)
      await shot('sign-in')
      await page.getByLabel('API key').fill('gk_not-a-real-key-0000000000')
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('alert').getByText('was not accepted').waitFor()
      await page.getByLabel('API key').fill(ADMIN_KEY)
      await page.getByRole('button', { name: 'Sign in' }).click()
      await page.getByRole('navigation', { name: 'Breadcrumbs' }).waitFor()
      assert.match(page.url(), /#\/ws\/ws_default\/$/)
      assert.ok(!page.url().includes(ADMIN_KEY))
      const kept = await page.evaluate(() => ({
        session: sessionStorage.getItem('granary.apiKey'),
        local: localStorage.length,
        cookie: document.cookie,
      }))
      assert.deepEqual(kept, { session: ADMIN_KEY, local: 0, cookie: '' })
    })

    // Only S3 needs CORS: browsers PUT large files straight to the bucket.
    if (backend.s3) {
      test('on S3 without CORS for this origin, a large upload says how to fix it', async () => {
        await admin.storage.setCors(['http://elsewhere.example'])
        const big = join(files, 'blocked.bin')
        await writeFile(big, randomBytes(64 * MiB))
        await page.getByLabel('Upload files').setInputFiles(big)
        const item = page.locator('.uploads li').filter({ hasText: 'blocked.bin' })
        const hint = item.getByRole('alert')
        await hint.waitFor()
        assert.match(
          (await hint.textContent()) ?? '',
          new RegExp(`granary admin storage check --set-cors ${server.url}`),
        )
        await item.getByRole('button', { name: 'Cancel upload of blocked.bin' }).click()
        await item.getByText('Cancelled').waitFor()
        // What the hint says to do, through the admin API.
        await admin.storage.setCors([server.url])
        await page.getByRole('button', { name: 'Clear finished' }).click()
      })
    }

    test('upload by the picker, then a same name asks before replacing', async () => {
      await page
        .getByLabel('Upload files')
        .setInputFiles([join(files, 'sample.vcf'), join(files, 'notes.txt')])
      await uploadDone(page, 'sample.vcf')
      await uploadDone(page, 'notes.txt')
      await page.getByRole('row', { name: /sample\.vcf/ }).waitFor()
      await writeFile(join(files, 'notes.txt'), 'second version\n')
      await page.getByLabel('Upload files').setInputFiles(join(files, 'notes.txt'))
      const item = page.locator('.uploads li').filter({ hasText: 'notes.txt' }).last()
      await item.getByText('A file with this name exists').waitFor()
      assert.equal(await download(admin, 'notes.txt'), 'first version\n')
      await item.getByRole('button', { name: 'Replace' }).click()
      await item.getByText('Done').waitFor()
      assert.equal(await download(admin, 'notes.txt'), 'second version\n')
      await shot('uploads')
    })

    test('upload by drag and drop, and a whole folder by the folder picker', async () => {
      await page.evaluate(() => {
        const data = new DataTransfer()
        data.items.add(
          new File(['x\ty\n1\t2\n'], 'dropped.tsv', { type: 'text/tab-separated-values' }),
        )
        const target = document.querySelector('main.browser') as HTMLElement
        for (const type of ['dragenter', 'dragover', 'drop']) {
          target.dispatchEvent(
            new DragEvent(type, { dataTransfer: data, bubbles: true, cancelable: true }),
          )
        }
      })
      await uploadDone(page, 'dropped.tsv')
      await page.getByLabel('Upload folder').setInputFiles(join(files, 'run1'))
      await uploadDone(page, 'run1/lane1/reads.fastq')
      await uploadDone(page, 'run1/summary.csv')
      const keys = (await admin.files.list({ prefix: '' })).files.map((f) => f.key).sort()
      assert.deepEqual(keys, [
        'dropped.tsv',
        'notes.txt',
        'run1/lane1/reads.fastq',
        'run1/summary.csv',
        'sample.vcf',
      ])
      await page.getByRole('button', { name: 'Clear finished' }).click()
    })

    test('folders: breadcrumbs, sorting, filter and the keyboard', async () => {
      const table = page.getByRole('table', { name: 'Files in /' })
      await table.getByRole('row', { name: /run1\// }).waitFor()
      await shot('folder')
      // Sort by size, largest first: sample.vcf is the largest file.
      await table.getByRole('button', { name: 'Size' }).click()
      await table.getByRole('button', { name: 'Size' }).click()
      assert.equal(await table.locator('th.size').getAttribute('aria-sort'), 'descending')
      assert.match(
        (await table.locator('tbody tr.file').first().textContent()) ?? '',
        /sample\.vcf/,
      )
      // Keyboard: the folder row is first; Enter opens it, arrows move, Backspace goes up.
      await table.locator('tbody tr').first().focus()
      await page.keyboard.press('Enter')
      await page.getByRole('table', { name: 'Files in /run1/' }).waitFor()
      const crumbs = page.getByRole('navigation', { name: 'Breadcrumbs' })
      assert.equal(
        await crumbs.getByRole('link', { name: 'run1' }).getAttribute('aria-current'),
        'page',
      )
      const inner = page.getByRole('table', { name: 'Files in /run1/' })
      await inner.getByRole('row', { name: /summary\.csv/ }).waitFor()
      await inner.locator('tbody tr').first().focus()
      await page.keyboard.press('ArrowDown')
      await page.keyboard.press('Enter')
      await page.getByRole('complementary', { name: 'Details of summary.csv' }).waitFor()
      await page.keyboard.press('Escape')
      await page
        .getByRole('complementary', { name: 'Details of summary.csv' })
        .waitFor({ state: 'detached' })
      await inner.locator('tbody tr').nth(1).focus()
      await page.keyboard.press('Backspace')
      await table.getByRole('row', { name: /notes\.txt/ }).waitFor()
      // The filter asks the server for keys under the folder that start with the text.
      await page.getByLabel('Filter by name').fill('sam')
      await waitForCount(table.locator('tbody tr'), 1)
      assert.match((await table.locator('tbody tr').textContent()) ?? '', /sample\.vcf/)
      await page.getByLabel('Filter by name').fill('')
      await table.getByRole('row', { name: /notes\.txt/ }).waitFor()
    })

    test('a folder of 205 files is paged with the cursor; an image previews', async () => {
      const names = Array.from({ length: 205 }, (_, i) => `f${String(i).padStart(3, '0')}.txt`)
      for (let i = 0; i < names.length; i += 41) {
        const batch = names.slice(i, i + 41)
        await Promise.all(
          batch.map((name) =>
            admin.files.upload(new Blob([name]), { filename: name, path: 'many/' }),
          ),
        )
      }
      await admin.files.upload(new Blob([PNG]), { filename: 'dot.png', path: 'many/' })
      await page.getByRole('button', { name: 'Refresh the list' }).click()
      await page.getByRole('row', { name: /many\// }).click()
      const table = page.getByRole('table', { name: 'Files in /many/' })
      await table.getByRole('row', { name: /dot\.png/ }).waitFor()
      await waitForCount(table.locator('tbody tr'), 100)
      // Keys in order: dot.png, f000 ... f204; 100 rows a page.
      await page.getByRole('button', { name: 'Next page' }).click()
      await table.getByRole('row', { name: /f198\.txt/ }).waitFor()
      await page.getByRole('button', { name: 'Next page' }).click()
      await table.getByRole('row', { name: /f204\.txt/ }).waitFor()
      await waitForCount(table.locator('tbody tr'), 6)
      assert.equal(await page.getByRole('button', { name: 'Next page' }).isDisabled(), true)
      await page.getByRole('button', { name: 'Previous page' }).click()
      await table.getByRole('row', { name: /f100\.txt/ }).waitFor()
      await page.getByRole('button', { name: 'Previous page' }).click()
      await table.getByRole('row', { name: /dot\.png/ }).click()
      const details = page.getByRole('complementary', { name: 'Details of dot.png' })
      await details.getByRole('button', { name: 'Preview' }).click()
      const image = details.getByRole('img', { name: 'dot.png' })
      await image.waitFor()
      await page.waitForFunction(
        () =>
          (document.querySelector('.preview img') as HTMLImageElement | null)?.naturalWidth === 1,
      )
      assert.match((await image.getAttribute('src')) ?? '', /^blob:/)
      await page
        .getByRole('navigation', { name: 'Breadcrumbs' })
        .getByRole('link', { name: 'Default workspace' })
        .click()
      await page
        .getByRole('table', { name: 'Files in /' })
        .getByRole('row', { name: /sample\.vcf/ })
        .waitFor()
    })

    test('details, VCF preview and a copied link that works without a key', async () => {
      await page.getByRole('row', { name: /sample\.vcf/ }).click()
      const details = page.getByRole('complementary', { name: 'Details of sample.vcf' })
      const sha = createHash('sha256').update(VCF).digest('hex')
      await details.getByText(sha).waitFor()
      await details.getByText('text/x-vcf').waitFor()
      await details.getByRole('button', { name: 'Preview' }).click()
      const preview = details.getByRole('region', { name: 'Preview of sample.vcf' })
      await preview.getByRole('columnheader', { name: 'CHROM' }).waitFor()
      await preview.getByRole('cell', { name: 'rs555500075' }).waitFor()
      await shot('details-preview')
      await details.getByLabel('Link valid for').selectOption({ label: '10 minutes' })
      const [saved] = await Promise.all([
        page.waitForEvent('download'),
        details.getByRole('button', { name: 'Download' }).click(),
      ])
      assert.equal(saved.suggestedFilename(), 'sample.vcf')
      assert.equal(await readFile((await saved.path()) as string, 'utf8'), VCF)
      await details.getByRole('button', { name: 'Copy link' }).click()
      const link = await details.getByLabel(/^Link \(anyone with it/).inputValue()
      assert.ok(!link.includes(ADMIN_KEY))
      const response = await fetch(link)
      assert.equal(response.status, 200)
      assert.equal(await response.text(), VCF)
    })

    test('a 64 MiB file goes up in parallel parts, a cut part is sent again, the SHA-256 holds', async () => {
      const big = join(files, 'genome.bin')
      const bytes = randomBytes(64 * MiB)
      await writeFile(big, bytes)
      const expected = createHash('sha256').update(bytes).digest('hex')
      const partPuts: string[] = []
      const onRequest = (request: import('playwright-core').Request) => {
        if (request.method() === 'PUT') partPuts.push(request.url())
      }
      page.on('request', onRequest)
      // The first part PUT is cut off: the client sends that part again.
      const isPart = (url: URL) => /\/parts\/\d+|partNumber=/.test(url.href)
      let cut = 0
      await page.route(isPart, (route) => {
        if (route.request().method() !== 'PUT' || cut++ > 0) return route.continue()
        return route.abort('connectionreset')
      })
      await page.getByLabel('Upload files').setInputFiles(big)
      await uploadDone(page, 'genome.bin', 180_000)
      page.off('request', onRequest)
      await page.unroute(isPart)
      assert.equal(cut > 0, true)
      assert.equal(partPuts.length, 5, `part PUTs: ${partPuts.join(', ')}`)
      const item = page.locator('.uploads li').filter({ hasText: 'genome.bin' })
      assert.equal(await item.getByRole('alert').count(), 0)
      const stored = (await admin.files.list({ prefix: 'genome.bin' })).files[0]
      assert.equal(stored?.size, 64 * MiB)
      assert.equal(stored?.sha256, expected)
      await page.getByRole('row', { name: /genome\.bin/ }).click()
      await page
        .getByRole('complementary', { name: 'Details of genome.bin' })
        .getByText(expected)
        .waitFor()
    })

    test('delete asks first, then the file is gone', async () => {
      await page.getByRole('row', { name: /notes\.txt/ }).click()
      const details = page.getByRole('complementary', { name: 'Details of notes.txt' })
      await details.getByRole('button', { name: 'Delete' }).click()
      const dialog = page.getByRole('dialog', { name: 'Delete notes.txt?' })
      await dialog.getByRole('button', { name: 'Cancel' }).click()
      assert.equal((await admin.files.list({ prefix: 'notes.txt' })).files.length, 1)
      // The Delete key on the file's row asks the same question.
      await page.getByRole('row', { name: /notes\.txt/ }).focus()
      await page.keyboard.press('Delete')
      await dialog.getByRole('button', { name: 'Delete' }).click()
      await page.getByRole('row', { name: /notes\.txt/ }).waitFor({ state: 'detached' })
      assert.equal((await admin.files.list({ prefix: 'notes.txt' })).files.length, 0)
      // Right after, "Undo" brings it back from the trash.
      await page.getByRole('status').getByRole('button', { name: 'Undo' }).click()
      await page.getByRole('row', { name: /notes\.txt/ }).waitFor()
      assert.equal(await download(admin, 'notes.txt'), 'second version\n')
    })

    test('versions, move/rename, and the trash: restore a deleted file', async () => {
      await page.getByRole('row', { name: /notes\.txt/ }).click()
      const details = page.getByRole('complementary', { name: 'Details of notes.txt' })
      await details.getByRole('button', { name: 'Versions' }).click()
      const versions = details.getByRole('region', { name: 'Versions of notes.txt' })
      await waitForCount(versions.getByRole('listitem'), 2)
      await versions.getByText('Current').waitFor()
      assert.deepEqual(await axeViolations(page), [])
      await details.getByRole('button', { name: 'Move / rename' }).click()
      const move = page.getByRole('dialog', { name: 'Move or rename notes.txt' })
      await move.getByLabel('New path').fill('renamed.txt')
      await move.getByRole('button', { name: 'Move' }).click()
      await page.getByRole('row', { name: /renamed\.txt/ }).waitFor()
      assert.deepEqual(
        (await admin.files.list({ prefix: 'renamed' })).files.map((f) => f.key),
        ['renamed.txt'],
      )
      assert.equal((await admin.files.list({ prefix: 'notes.txt' })).files.length, 0)
      await page.getByRole('row', { name: /renamed\.txt/ }).focus()
      await page.keyboard.press('Delete')
      await page
        .getByRole('dialog', { name: 'Delete renamed.txt?' })
        .getByRole('button', { name: 'Delete' })
        .click()
      await page.getByRole('row', { name: /renamed\.txt/ }).waitFor({ state: 'detached' })
      await page.getByRole('link', { name: 'Trash' }).click()
      const trash = page.getByRole('table', { name: 'Trash of ws_default' })
      await trash.getByRole('row', { name: /renamed\.txt/ }).waitFor()
      await shot('trash')
      assert.deepEqual(await axeViolations(page), [])
      await trash.getByRole('button', { name: 'Restore renamed.txt' }).click()
      await trash.getByRole('row', { name: /renamed\.txt/ }).waitFor({ state: 'detached' })
      assert.equal(await download(admin, 'renamed.txt'), 'second version\n')
      await page.getByRole('link', { name: 'Back to files' }).click()
      await page.getByRole('row', { name: /renamed\.txt/ }).waitFor()
    })

    test('new folder: the next upload lands in it', async () => {
      await page.getByRole('button', { name: 'New folder' }).click()
      await page.getByRole('dialog', { name: 'New folder' }).getByLabel('Folder name').fill('fresh')
      await page
        .getByRole('dialog', { name: 'New folder' })
        .getByRole('button', { name: 'Create' })
        .click()
      await page.getByRole('table', { name: 'Files in /fresh/' }).waitFor()
      await page.getByLabel('Upload files').setInputFiles(join(files, 'sample.vcf'))
      await uploadDone(page, 'fresh/sample.vcf')
      assert.equal((await admin.files.list({ prefix: 'fresh/' })).files[0]?.key, 'fresh/sample.vcf')
      await page.getByRole('button', { name: 'Clear finished' }).click()
    })

    test('admin: create a workspace and switch to it', async () => {
      await page.getByRole('link', { name: 'Admin' }).click()
      const form = page.getByRole('form', { name: 'New workspace' })
      await form.getByLabel('Workspace name').fill('Sequencing lab')
      await form.getByLabel('ID (optional)').fill('ws_lab')
      await form.getByRole('button', { name: 'Create workspace' }).click()
      await page.getByRole('row', { name: /Sequencing lab/ }).waitFor()
      assert.deepEqual((await admin.workspaces.list()).map((w) => w.id).sort(), [
        'ws_default',
        'ws_lab',
      ])
      await page.getByRole('combobox', { name: 'Workspace' }).selectOption('ws_lab')
      await page.getByRole('table', { name: 'Files in /' }).getByText('Nothing here yet').waitFor()
      assert.match(page.url(), /#\/ws\/ws_lab\/$/)
      await page.getByRole('combobox', { name: 'Workspace' }).selectOption('ws_default')
      await page.getByRole('row', { name: /sample\.vcf/ }).waitFor()
    })

    test('admin: create a key (secret shown once), it works, revoke it', async () => {
      await page.getByRole('link', { name: 'Admin' }).click()
      const form = page.getByRole('form', { name: 'New API key' })
      await form.getByLabel('Key name').fill('sequencer')
      await form.getByLabel(/ws_default/).check()
      await form.getByRole('button', { name: 'Create key' }).click()
      const secret = await page
        .getByRole('region', { name: 'New key secret' })
        .getByLabel('Secret')
        .inputValue()
      await shot('admin')
      const user = new Granary({ baseUrl: server.url, apiKey: secret })
      const me = await user.me()
      assert.equal(me.key.name, 'sequencer')
      assert.deepEqual(me.key.scopes, ['files'])
      assert.deepEqual(
        me.workspaces.map((w) => w.id),
        ['ws_default'],
      )
      // Signed in with it, a files-only key sees its one workspace and no admin screens.
      const other = await browser.newPage()
      await other.goto(server.url)
      await other.getByLabel('API key').fill(secret)
      await other.getByRole('button', { name: 'Sign in' }).click()
      await other
        .getByRole('table', { name: 'Files in /' })
        .getByRole('row', { name: /sample\.vcf/ })
        .waitFor()
      assert.equal(await other.getByRole('link', { name: 'Admin' }).count(), 0)
      await other.close()
      await page.getByRole('button', { name: 'Done' }).click()
      await page.getByRole('button', { name: 'Revoke sequencer' }).click()
      await page
        .getByRole('dialog', { name: 'Revoke sequencer?' })
        .getByRole('button', { name: 'Revoke' })
        .click()
      await page
        .getByRole('row', { name: /sequencer/ })
        .getByText(/^revoked/)
        .waitFor()
      await assert.rejects(
        user.me(),
        (err: unknown) => err instanceof ApiError && err.status === 401,
      )
    })

    test('every main screen passes axe, and nothing broke the CSP', async () => {
      await page.goto(`${server.url}/#/ws/ws_default/`)
      await page.getByRole('row', { name: /sample\.vcf/ }).click()
      await page.getByRole('complementary', { name: 'Details of sample.vcf' }).waitFor()
      assert.deepEqual(await axeViolations(page), [])
      await page.goto(`${server.url}/#/admin`)
      await page.getByRole('form', { name: 'New API key' }).waitFor()
      assert.deepEqual(await axeViolations(page), [])
      assert.deepEqual(cspViolations, [])
    })

    test('phone width, dark mode, and sign out forgets the key', async () => {
      await page.goto(`${server.url}/#/ws/ws_default/`)
      await page.getByRole('row', { name: /sample\.vcf/ }).waitFor()
      if (backend.screenshots) {
        await page.setViewportSize({ width: 390, height: 760 })
        await page.emulateMedia({ colorScheme: 'dark' })
        await page.getByRole('row', { name: /sample\.vcf/ }).click()
        await shot('phone-dark')
        // Nothing wider than the phone: no sideways scrolling.
        assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 390))
        const background = await page.evaluate(
          () => getComputedStyle(document.body).backgroundColor,
        )
        assert.equal(background, 'rgb(17, 20, 24)')
        await page.emulateMedia({ colorScheme: 'light' })
        await page.setViewportSize({ width: 1280, height: 800 })
      }
      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.getByLabel('API key').waitFor()
      assert.equal(await page.evaluate(() => sessionStorage.getItem('granary.apiKey')), null)
      await page.reload()
      await page.getByLabel('API key').waitFor()
      assert.deepEqual(await axeViolations(page), [])
    })
  })
}

/**
 * Accessibility problems axe-core finds (WCAG 2.1 A and AA). Evaluated through the DevTools
 * protocol, which the page's CSP does not apply to.
 */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(`${await readFile(require.resolve('axe-core/axe.min.js'), 'utf8')};0`)
  const found = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(options: unknown): Promise<AxeResult> } })
      .axe
    const result = await axe.run({ runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] })
    return result.violations.map(
      (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
  })
  return found
}

interface AxeResult {
  violations: { id: string; nodes: { target: string[] }[] }[]
}

/** Polls until the locator matches `count` elements (15 s). */
async function waitForCount(locator: Locator, count: number): Promise<void> {
  const deadline = Date.now() + 15_000
  while ((await locator.count()) !== count) {
    if (Date.now() > deadline)
      assert.fail(`expected ${count} matches, found ${await locator.count()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

/** Waits for the upload panel to say an upload is done. */
async function uploadDone(page: Page, key: string, timeout = 30_000): Promise<void> {
  const item = page.locator('.uploads li').filter({ has: page.locator(`.name[title="${key}"]`) })
  await item.last().getByText('Done').waitFor({ timeout })
}

async function download(client: Granary, key: string): Promise<string> {
  const { url } = await client.files.downloadUrl(key)
  return (await fetch(url)).text()
}
