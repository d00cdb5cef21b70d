#!/usr/bin/env node
/**
 * Compiles a TypeScript entry (and our own workspace packages it imports) into plain ES modules
 * with esbuild, leaving npm dependencies external. `npm start` runs the server this way: no
 * transpiler in the running process (tsx alone costs ~50 MB of memory).
 *
 *   node scripts/bundle.mjs <entry.ts> <outdir>
 */
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import * as esbuild from 'esbuild'

/** Bundles `entry` into `outdir/<name>.js`; dynamic imports become chunks loaded on demand. */
export async function bundle(entry, outdir) {
  await esbuild.build({
    entryPoints: [entry],
    outdir,
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [externalDependencies],
  })
}

/** Bare imports stay imports (resolved from node_modules at run time), except @granary/*. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@granary/') ? undefined : { external: true },
    )
  },
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const [entry, outdir] = process.argv.slice(2)
  if (!entry || !outdir) {
    console.error('usage: node scripts/bundle.mjs <entry.ts> <outdir>')
    process.exit(2)
  }
  await bundle(entry, outdir)
}
