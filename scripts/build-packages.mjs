#!/usr/bin/env node
/**
 * Builds the npm packages a lab installs, each into its own folder with a generated package.json
 * (the workspace manifests stay pointed at the TypeScript sources for development):
 *
 *   <outdir>/client   @granary/client: one ES module with the protocol inlined, .d.ts types, source
 *                     maps; zero runtime dependencies
 *   <outdir>/granary  granary: the CLI as its bin, with the server bundled in (`granary serve`) and
 *                     the web UI when packages/web/dist exists; third-party packages stay
 *                     dependencies (better-sqlite3 is native)
 *
 *   node scripts/build-packages.mjs [outdir [webdir]]   (default dist/npm, packages/web/dist)
 *   npm pack ./dist/npm/client ./dist/npm/granary
 */
import { existsSync } from 'node:fs'
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as esbuild from 'esbuild'
import ts from 'typescript'

const root = resolve(fileURLToPath(new URL('..', import.meta.url)))
const readJson = async (path) => JSON.parse(await readFile(join(root, path), 'utf8'))

/** Builds both packages into `outdir`; answers their folders. */
export async function buildPackages(
  outdir = join(root, 'dist', 'npm'),
  webdir = join(root, 'packages/web/dist'),
) {
  const { version } = await readJson('package.json')
  await rm(outdir, { recursive: true, force: true })
  const client = await buildClient(join(outdir, 'client'), version)
  const granary = await buildGranary(join(outdir, 'granary'), version, webdir)
  return { client, granary }
}

const common = (version) => ({
  version,
  license: 'Apache-2.0',
  type: 'module',
  engines: { node: '>=20' },
})

async function buildClient(dir, version) {
  await esbuild.build({
    entryPoints: [join(root, 'packages/client/src/index.ts')],
    outfile: join(dir, 'dist/index.js'),
    bundle: true,
    format: 'esm',
    // Node and browsers: the client reaches node:* only through import() on Node-only paths.
    platform: 'neutral',
    external: ['node:*'],
    target: ['node20', 'chrome110', 'firefox115', 'safari16'],
    sourcemap: true,
    sourcesContent: true,
    logLevel: 'warning',
  })
  await hideNodeImports(join(dir, 'dist/index.js'))
  await emitClientTypes(join(dir, 'dist/types'))
  await cp(join(root, 'packages/client/README.md'), join(dir, 'README.md'))
  const types = './dist/types/client/src/index.d.ts'
  await writeManifest(dir, {
    name: '@granary/client',
    description: 'TypeScript client for Granary (zero runtime dependencies; Node 20+ and browsers)',
    ...common(version),
    sideEffects: false,
    exports: { '.': { types, default: './dist/index.js' }, './package.json': './package.json' },
    types,
    files: ['dist'],
  })
  return dir
}

/**
 * The client imports node:* only on Node-only paths (local files, streaming hashes), with
 * import(). Browser bundlers would still try to resolve those specifiers and fail (esbuild) or
 * warn, so they go through a function call that bundlers leave alone.
 */
async function hideNodeImports(file) {
  const code = await readFile(file, 'utf8')
  const hidden = code.replaceAll(/\bimport\(("node:[\w/]+")\)/g, 'importNodeBuiltin($1)')
  const helper = [
    '/** A Node built-in, loaded at run time; bundlers for browsers leave it alone. */',
    'function importNodeBuiltin(name) {',
    '  return import(/* webpackIgnore: true */ /* @vite-ignore */ name);',
    '}',
    '',
  ].join('\n')
  await writeFile(file, hidden.replace(/(\/\/# sourceMappingURL=)/, `${helper}$1`))
}

/**
 * tsc writes the client's declarations. The protocol's wire types are computed from its JSON
 * Schemas by json-schema-to-ts, a build-time dependency a consumer does not have: they are
 * written out expanded into one file, granary-protocol.d.ts, that the client's declarations
 * import instead of '@granary/protocol'.
 */
async function emitClientTypes(outDir) {
  const tsconfig = join(outDir, '..', 'tsconfig.types.json')
  await mkdir(dirname(tsconfig), { recursive: true })
  await writeFile(
    tsconfig,
    JSON.stringify({
      extends: join(root, 'tsconfig.base.json'),
      compilerOptions: {
        noEmit: false,
        declaration: true,
        emitDeclarationOnly: true,
        rootDir: join(root, 'packages'),
        outDir,
        paths: { '@granary/protocol': [join(root, 'packages/protocol/src/index.ts')] },
        // The folder may be outside the repository (CI's install test).
        typeRoots: [join(root, 'node_modules/@types')],
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      },
      files: [join(root, 'packages/client/src/index.ts')],
    }),
  )
  const parsed = ts.getParsedCommandLineOfConfigFile(
    tsconfig,
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'))
      },
    },
  )
  await rm(tsconfig)
  const program = ts.createProgram(parsed.fileNames, parsed.options)
  const problems = [...ts.getPreEmitDiagnostics(program), ...program.emit().diagnostics]
  if (problems.length > 0) {
    const host = {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => root,
      getNewLine: () => '\n',
    }
    throw new Error(ts.formatDiagnostics(problems, host))
  }
  const clientTypes = join(outDir, 'client', 'src')
  await writeFile(join(clientTypes, 'granary-protocol.d.ts'), expandedProtocol(program))
  await rm(join(outDir, 'protocol'), { recursive: true, force: true })
  // Declarations keep the sources' './x.ts' specifiers; consumers resolve './x.js' to x.d.ts.
  for (const file of await filesUnder(outDir)) {
    const text = (await readFile(file, 'utf8'))
      .replaceAll(/(['"])(\.\.?\/[^'"]+)\.ts\1/g, '$1$2.js$1')
      .replaceAll("'@granary/protocol'", "'./granary-protocol.js'")
    await writeFile(file, text)
  }
}

/** The values the client re-exports from the protocol (its schemas stay server-side). */
const PROTOCOL_VALUES = new Set(['ERROR_CODES', 'SCOPES', 'GRANARY_VERSION', 'WEBHOOK_EVENTS'])

/** Every non-generic type the protocol exports, written out as the compiler resolved it. */
function expandedProtocol(program) {
  const checker = program.getTypeChecker()
  const index = program.getSourceFile(join(root, 'packages/protocol/src/index.ts'))
  const flags =
    ts.TypeFormatFlags.NoTruncation |
    ts.TypeFormatFlags.InTypeAlias |
    ts.TypeFormatFlags.UseSingleQuotesForStringLiteralType
  const lines = ['/** Granary wire types (generated from @granary/protocol at build time). */']
  for (const exported of checker.getExportsOfModule(checker.getSymbolAtLocation(index))) {
    const name = exported.getName()
    const symbol =
      exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported
    if (symbol.flags & (ts.SymbolFlags.TypeAlias | ts.SymbolFlags.Interface)) {
      // Generic helpers (Wire<S>, Validated<S>, ErrorDetails<C>) work on schemas: server-side.
      if (symbol.declarations?.some((d) => d.typeParameters?.length)) continue
      const type = checker.getDeclaredTypeOfSymbol(symbol)
      lines.push(`export type ${name} = ${checker.typeToString(type, undefined, flags)};`)
    } else if (PROTOCOL_VALUES.has(name)) {
      const type = checker.getTypeOfSymbol(symbol)
      lines.push(`export declare const ${name}: ${checker.typeToString(type, undefined, flags)};`)
    }
  }
  return `${lines.join('\n')}\n`
}

async function filesUnder(dir) {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name))
}

async function buildGranary(dir, version, web) {
  const dist = join(dir, 'dist')
  await esbuild.build({
    entryPoints: { granary: join(root, 'scripts/packages/granary-bin.ts') },
    outdir: dist,
    bundle: true,
    // The server is a chunk loaded by `granary serve` only: the other commands start fast.
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    banner: { js: '#!/usr/bin/env node' },
    logLevel: 'warning',
    plugins: [externalDependencies],
  })
  // The server looks for the UI in web/ beside its own code.
  if (existsSync(join(web, 'index.html'))) await cp(web, join(dist, 'web'), { recursive: true })
  await cp(join(root, 'scripts/packages/granary-readme.md'), join(dir, 'README.md'))
  await writeManifest(dir, {
    name: 'granary',
    description: 'Granary: a self-hostable file service for scientific workspaces (server and CLI)',
    ...common(version),
    bin: { granary: './dist/granary.js' },
    files: ['dist'],
    dependencies: await runtimeDependencies(['packages/server', 'packages/cli']),
  })
  return dir
}

/** Bare imports stay imports, installed as dependencies, except our own @granary/* sources. */
const externalDependencies = {
  name: 'external-dependencies',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@granary/') ? undefined : { external: true },
    )
  },
}

/** The third-party dependencies of these workspace packages, with their declared ranges. */
async function runtimeDependencies(packages) {
  const merged = {}
  for (const path of packages) {
    const { dependencies = {} } = await readJson(`${path}/package.json`)
    for (const [name, range] of Object.entries(dependencies)) {
      if (!name.startsWith('@granary/')) merged[name] = range
    }
  }
  return Object.fromEntries(Object.entries(merged).sort(([a], [b]) => a.localeCompare(b)))
}

async function writeManifest(dir, manifest) {
  await writeFile(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
}

if (import.meta.url === pathToFileURL(resolve(process.argv[1] ?? '')).href) {
  const [outdir, webdir] = process.argv.slice(2).map((arg) => resolve(arg))
  const built = await buildPackages(outdir, webdir)
  console.log(`built ${built.client} and ${built.granary}`)
}
