/**
 * Measures how long the web UI takes to show a folder of 100,000 files (once; not a test):
 *   npx tsx scripts/measure-web-folder.ts [count]
 * Starts a server on the embedded default, uploads one real file, copies its metadata row
 * `count` times straight into the SQLite store (the bytes are shared: only listing is measured),
 * then times, in chromium, opening the folder until its first page of rows is on screen, and
 * moving to the next page.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Granary } from '@granary/client'
import Database from 'better-sqlite3'
import { launchBrowser } from '../e2e/support/browser.ts'
import { ADMIN_KEY, startServerProcess } from '../e2e/support/server-process.ts'
import { buildWeb } from '../packages/web/build.mjs'

const count = Number(process.argv[2] ?? 100_000)
const work = await mkdtemp(join(tmpdir(), 'granary-web-measure-'))
const { outdir } = await buildWeb(join(work, 'web'))
const server = await startServerProcess({ GRANARY_WEB_DIR: outdir })
const browser = await launchBrowser()
try {
  const client = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' })
  const seed = await client.files.upload(new Blob(['ACGT\n']), {
    filename: 'seed.fa',
    path: 'big/',
  })
  seedRows(join(server.dataDir, 'granary.sqlite'), seed.key, count)
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  await page.goto(server.url)
  await page.getByLabel('API key').fill(ADMIN_KEY)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.getByRole('navigation', { name: 'Breadcrumbs' }).waitFor()
  const table = page.getByRole('table', { name: 'Files in /big/' })
  let started = performance.now()
  await page.evaluate(() => {
    location.hash = '#/ws/ws_default/big/'
  })
  await table.getByRole('row', { name: /sample-000099\.fa/ }).waitFor()
  const first = performance.now() - started
  started = performance.now()
  await page.getByRole('button', { name: 'Next page' }).click()
  await table.getByRole('row', { name: /sample-000199\.fa/ }).waitFor()
  const next = performance.now() - started
  console.log(
    `folder of ${count.toLocaleString()} files: first page on screen in ${first.toFixed(0)} ms, next page in ${next.toFixed(0)} ms`,
  )
} finally {
  await browser.close()
  await server.stop()
  await rm(work, { recursive: true, force: true })
}

/** Copies the row of `key` into big/sample-000000.fa, big/sample-000001.fa, ... in one transaction. */
function seedRows(path: string, key: string, n: number): void {
  const db = new Database(path)
  db.pragma('busy_timeout = 10000')
  const columns = (db.pragma('table_info(files)') as { name: string }[]).map((c) => c.name)
  const pick = columns.map((c) =>
    c === 'key'
      ? `'big/sample-' || substr('000000' || n, -6) || '.fa'`
      : c === 'id'
        ? `'file_seed' || n`
        : c,
  )
  db.prepare(
    `with recursive seq(n) as (select 0 union all select n + 1 from seq where n < ?)
     insert into files (${columns.join(', ')})
     select ${pick.join(', ')} from seq, files where files.key = ?`,
  ).run(n - 1, key)
  db.close()
}
