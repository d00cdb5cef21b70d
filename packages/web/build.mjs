#!/usr/bin/env node
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
/**
 * Builds the web UI into dist/: index.html (no inline script: the CSP forbids it) and
 * assets/<name>-<hash>.{js,css}, whose names change whenever their bytes do, so the server can
 * let browsers cache them for a year. viewer.html is the genome viewer's own page (igv). Chunks loaded with import() (admin, preview) stay out of
 * the initial download.
 *
 *   node packages/web/build.mjs [outdir]
 */
import { createRequire } from 'node:module'
import { basename, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { gzipSync } from 'node:zlib'
import * as esbuild from 'esbuild'

const here = fileURLToPath(new URL('.', import.meta.url))

/** Builds into `outdir`; answers the files of the initial page load with their gzipped sizes. */
export async function buildWeb(outdir = join(here, 'dist')) {
  await rm(outdir, { recursive: true, force: true })
  const assets = join(outdir, 'assets')
  await mkdir(assets, { recursive: true })
  const result = await esbuild.build({
    entryPoints: { app: join(here, 'src/main.tsx') },
    outdir: assets,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    sourcemap: false,
    entryNames: '[name]-[hash]',
    chunkNames: '[name]-[hash]',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    // The client reaches Node modules only on paths a browser never takes (local files).
    external: ['node:*'],
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  })
  const outputs = result.metafile.outputs
  const [entry, info] = Object.entries(outputs).find(([, out]) => out.entryPoint) ?? []
  if (!entry || !info) throw new Error('esbuild produced no entry script')
  const initial = [entry, ...staticImports(outputs, entry)]
  const css = info.cssBundle ? [info.cssBundle] : []
  const href = (file) => `/assets/${relative(assets, resolve(file))}`
  const tags = [
    ...css.map((file) => `<link rel="stylesheet" href="${href(file)}" />`),
    ...initial.slice(1).map((file) => `<link rel="modulepreload" href="${href(file)}" />`),
    `<script type="module" src="${href(entry)}"></script>`,
  ]
  const template = await readFile(join(here, 'src/index.html'), 'utf8')
  await writeFile(
    join(outdir, 'index.html'),
    template.replace('<!-- assets -->', tags.join('\n    ')),
  )
  await buildViewer(outdir, assets)
  const measured = []
  for (const file of [...initial, ...css]) {
    const bytes = await readFile(resolve(file))
    measured.push({ file: basename(file), bytes: bytes.length, gzipped: gzipSync(bytes).length })
  }
  return { outdir, initial: measured }
}

/**
 * The genome viewer (viewer.html and its own script): a separate page, so igv (megabytes) never
 * weighs on the main UI and only this page's CSP has to allow the inline styles igv inserts.
 */
async function buildViewer(outdir, assets) {
  if (!igvInstalled()) {
    // A checkout whose node_modules predate igv: the main UI still builds, without "View" pages.
    console.warn('web UI: igv is not installed (run `npm install`); viewer.html not built')
    return
  }
  const result = await esbuild.build({
    entryPoints: { viewer: join(here, 'src/viewer/viewer.ts') },
    // igv's "browser" field names its UMD build; the ES module build is "module".
    mainFields: ['module', 'main'],
    outdir: assets,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome110', 'firefox115', 'safari16'],
    minify: true,
    entryNames: '[name]-[hash]',
    metafile: true,
    legalComments: 'none',
    logLevel: 'warning',
  })
  const entry = Object.keys(result.metafile.outputs).find((file) => file.endsWith('.js'))
  if (!entry) throw new Error('esbuild produced no viewer script')
  const tag = `<script type="module" src="/assets/${relative(assets, resolve(entry))}"></script>`
  const template = await readFile(join(here, 'src/viewer.html'), 'utf8')
  await writeFile(join(outdir, 'viewer.html'), template.replace('<!-- assets -->', tag))
}

function igvInstalled() {
  try {
    createRequire(import.meta.url).resolve('igv')
    return true
  } catch {
    return false
  }
}

/** Every chunk the entry imports statically, transitively (what the first paint waits for). */
function staticImports(outputs, file, seen = new Set()) {
  for (const imported of outputs[file]?.imports ?? []) {
    if (imported.kind !== 'import-statement' || seen.has(imported.path)) continue
    seen.add(imported.path)
    staticImports(outputs, imported.path, seen)
  }
  return [...seen]
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const { outdir, initial } = await buildWeb(process.argv[2] ? resolve(process.argv[2]) : undefined)
  const js = initial.filter((f) => f.file.endsWith('.js')).reduce((sum, f) => sum + f.gzipped, 0)
  console.log(`web UI built in ${outdir} (initial JavaScript ${(js / 1024).toFixed(1)} KB gzipped)`)
}
