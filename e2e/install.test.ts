/**
 * The packages as a lab installs them. Builds and packs `granary` and `@granary/client` (npm pack)
 * and the Python wheel (pip wheel), installs them into a temporary folder outside the repository
 * (`npm install -g --prefix`, a plain project, a venv), then uses only what was installed:
 * `granary serve` and the CLI from PATH, a plain .mjs script, a TypeScript consumer checked by
 * tsc with node16 and bundler resolution, a browser bundle, and the seed's Python snippets.
 * Third-party npm packages come from the registry (better-sqlite3 compiles from source).
 */
import assert from 'node:assert/strict'
import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { freePort, ROOT } from './support/server-process.ts'

const execFileAsync = promisify(execFile)
const VERSION = (
  JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string }
).version
const VCF = `##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\n${'chr1\t100\t.\tA\tG\t50\tPASS\tDP=9\n'.repeat(500)}`
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex')

interface Run {
  stdout: string
  stderr: string
  code: number
}

/** Runs a program; answers its output and exit status instead of throwing. */
async function run(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<Run> {
  const child = execFileAsync(file, args, { ...options, maxBuffer: 64 * 1024 * 1024 })
  if (options.input !== undefined) child.child.stdin?.end(options.input)
  try {
    const { stdout, stderr } = await child
    return { stdout, stderr, code: 0 }
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string; code?: number }
    return { stdout: failed.stdout ?? '', stderr: failed.stderr ?? '', code: failed.code ?? 1 }
  }
}

async function mustRun(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<string> {
  const result = await run(file, args, options)
  assert.equal(result.code, 0, `${file} ${args.join(' ')}\n${result.stdout}\n${result.stderr}`)
  return result.stdout
}

describe('installed packages, outside the repository', () => {
  let work = ''
  let env: NodeJS.ProcessEnv = {}
  let server: ChildProcess | undefined
  let serverOutput = ''
  let url = ''
  let adminKey = ''
  const dirs = {
    build: '',
    tgz: '',
    global: '',
    app: '',
    venv: '',
    home: '',
    elsewhere: '',
  }
  const granary = (args: string[], input?: string) =>
    run(join(dirs.global, 'bin', 'granary'), args, {
      cwd: dirs.elsewhere,
      env,
      ...(input !== undefined ? { input } : {}),
    })

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'granary-install-'))
    for (const name of Object.keys(dirs) as Array<keyof typeof dirs>) {
      dirs[name] = join(work, name)
      await mkdir(dirs[name], { recursive: true })
    }
    // Nothing of the repository's environment leaks in: a fresh HOME, PATH with the install;
    // npm keeps the user's cache and settings (e.g. nodedir for native builds).
    const realHome = process.env.HOME ?? work
    env = {
      PATH: `${join(dirs.global, 'bin')}:${process.env.PATH ?? ''}`,
      HOME: dirs.home,
      LANG: 'C.UTF-8',
      // better-sqlite3's prebuilt binaries come from outside the registry: build it here.
      npm_config_build_from_source: 'true',
      npm_config_cache: process.env.npm_config_cache ?? join(realHome, '.npm'),
      npm_config_userconfig: process.env.npm_config_userconfig ?? join(realHome, '.npmrc'),
      npm_config_update_notifier: 'false',
    }
    const repo = { cwd: ROOT, env: { ...process.env } }
    const web = join(work, 'web')
    await mustRun(process.execPath, ['packages/web/build.mjs', web], repo)
    await mustRun(process.execPath, ['scripts/build-packages.mjs', dirs.build, web], repo)
    await mustRun(
      'npm',
      ['pack', '--silent', '--pack-destination', dirs.tgz, './client', './granary'],
      { cwd: dirs.build, env: repo.env },
    )
    await mustRun(
      'python3',
      ['-m', 'pip', 'wheel', './python', '--no-deps', '--quiet', '-w', dirs.tgz],
      repo,
    )
    const packed = await readdir(dirs.tgz)
    const file = (pattern: RegExp) => {
      const found = packed.find((name) => pattern.test(name))
      assert.ok(found, `${pattern} in ${packed.join(', ')}`)
      return join(dirs.tgz, found)
    }
    const npm = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error']
    await mustRun(
      'npm',
      ['install', '-g', '--prefix', dirs.global, ...npm, file(/^granary-\d.*\.tgz$/)],
      {
        cwd: dirs.elsewhere,
        env,
      },
    )
    await writeFile(
      join(dirs.app, 'package.json'),
      JSON.stringify({ name: 'lab-scripts', private: true, type: 'module' }),
    )
    await mustRun('npm', ['install', ...npm, file(/^granary-client-.*\.tgz$/)], {
      cwd: dirs.app,
      env,
    })
    await mustRun('python3', ['-m', 'venv', '--system-site-packages', dirs.venv], repo)
    await mustRun(
      join(dirs.venv, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--no-deps', '--no-index', file(/\.whl$/)],
      { cwd: dirs.elsewhere, env },
    )
    await startServer()
  })

  after(async () => {
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve))
      server.kill('SIGTERM')
      await exited
    }
    if (work) await rm(work, { recursive: true, force: true })
  })

  /** `granary serve` from PATH in an unrelated folder; the banner gives the admin key. */
  async function startServer(): Promise<void> {
    const port = await freePort()
    url = `http://127.0.0.1:${port}`
    server = spawn('granary', ['serve', '--port', String(port)], {
      cwd: dirs.elsewhere,
      env: { ...env, GRANARY_LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    server.stdout?.on('data', (chunk: Buffer) => (serverOutput += chunk))
    server.stderr?.on('data', (chunk: Buffer) => (serverOutput += chunk))
    const deadline = Date.now() + 60_000
    while (!/admin key:\s+\S/.test(serverOutput)) {
      assert.equal(server.exitCode, null, `granary serve exited:\n${serverOutput}`)
      assert.ok(Date.now() < deadline, `granary serve did not start:\n${serverOutput}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    adminKey = serverOutput.match(/admin key:\s+(\S+)/)?.[1] ?? ''
  }

  test('granary --version, and the server reports the same version', async () => {
    assert.equal((await granary(['--version'])).stdout.trim(), VERSION)
    const health = (await (await fetch(`${url}/healthz`)).json()) as { version: string }
    assert.equal(health.version, VERSION)
  })

  test('granary serve keeps its data in ~/.local/share/granary and says so', async () => {
    const dataDir = join(dirs.home, '.local', 'share', 'granary')
    assert.match(serverOutput, new RegExp(`data:\\s+${dataDir}\\n`))
    assert.ok((await stat(join(dataDir, 'admin.key'))).isFile())
    assert.deepEqual(await readdir(dirs.elsewhere), [], 'nothing written where it was started')
  })

  test('the web UI and /docs come with the package', async () => {
    const home = await fetch(`${url}/`)
    assert.equal(home.status, 200)
    assert.match(home.headers.get('content-type') ?? '', /text\/html/)
    const docs = await fetch(`${url}/docs/`)
    assert.match(await docs.text(), /<title>Granary API<\/title>/)
  })

  test('the CLI: login, whoami, upload, ls, download', async () => {
    const login = await granary(['login'], `${url}\n${adminKey}\n`)
    assert.equal(login.code, 0, login.stderr)
    const config = join(dirs.home, '.config', 'granary', 'config.json')
    assert.equal((await stat(config)).mode & 0o777, 0o600)
    const whoami = await granary(['whoami', '--json'])
    assert.equal(whoami.code, 0, whoami.stderr)
    assert.ok(
      (JSON.parse(whoami.stdout) as { key: { scopes: string[] } }).key.scopes.includes('admin'),
    )
    const created = await granary([
      'admin',
      'workspace',
      'create',
      'Exome lab',
      '--id',
      'ws_abc123',
    ])
    assert.equal(created.code, 0, created.stderr)
    await writeFile(join(dirs.elsewhere, 'sample.vcf'), VCF)
    const upload = await granary(['upload', 'sample.vcf', '--path', 'raw/', '-w', 'ws_abc123'])
    assert.equal(upload.code, 0, upload.stderr)
    const listed = await granary(['ls', 'raw/', '-w', 'ws_abc123', '--json'])
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { files: Array<{ key: string }> }).files.map((f) => f.key),
      ['raw/sample.vcf'],
    )
    const download = await granary(['download', 'raw/sample.vcf', 'output/', '-w', 'ws_abc123'])
    assert.equal(download.code, 0, download.stderr)
    assert.equal(await readFile(join(dirs.elsewhere, 'output', 'sample.vcf'), 'utf8'), VCF)
    await rm(join(dirs.elsewhere, 'output'), { recursive: true })
    await rm(join(dirs.elsewhere, 'sample.vcf'))
  })

  test('a plain .mjs script with @granary/client (zero dependencies)', async () => {
    const manifest = JSON.parse(
      await readFile(join(dirs.app, 'node_modules/@granary/client/package.json'), 'utf8'),
    ) as { dependencies?: object; version: string }
    assert.equal(manifest.dependencies, undefined)
    assert.equal(manifest.version, VERSION)
    await writeFile(
      join(dirs.app, 'script.mjs'),
      [
        "import { Granary, GRANARY_VERSION } from '@granary/client'",
        'const client = new Granary({ workspaceId: "ws_abc123" })',
        'const me = await client.me()',
        'const file = await client.files.upload(new Blob([process.argv[2]]), { path: "mjs/", filename: "note.txt" })',
        'const back = await new Response((await client.files.downloadStream(file.key)).body).text()',
        'console.log(JSON.stringify({ version: GRANARY_VERSION, name: me.key.name, key: file.key, sha256: file.sha256, same: back === process.argv[2] }))',
      ].join('\n'),
    )
    const out = await mustRun(process.execPath, ['script.mjs', 'hello from a script'], {
      cwd: dirs.app,
      env: { ...env, GRANARY_URL: url, GRANARY_API_KEY: adminKey },
    })
    const answer = JSON.parse(out) as Record<string, unknown>
    assert.deepEqual(answer, {
      version: VERSION,
      name: answer.name,
      key: 'mjs/note.txt',
      sha256: sha256('hello from a script'),
      same: true,
    })
  })

  test('a TypeScript consumer type-checks with node16 and bundler resolution', async () => {
    await writeFile(
      join(dirs.app, 'consumer.ts'),
      [
        "import { ApiError, Granary, type FileInfo, type MeResponse } from '@granary/client'",
        'export async function first(client: Granary): Promise<FileInfo | undefined> {',
        '  const me: MeResponse = await client.me()',
        "  const page = await client.files.list({ workspaceId: me.workspaces[0]?.id ?? 'ws_default' })",
        '  return page.files[0]',
        '}',
        "export const missing = (err: unknown) => err instanceof ApiError && err.code === 'file_not_found'",
        '',
      ].join('\n'),
    )
    const tsc = join(ROOT, 'node_modules/typescript/bin/tsc')
    for (const [resolution, module] of [
      ['node16', 'node16'],
      ['bundler', 'esnext'],
    ]) {
      const config = `tsconfig.${resolution}.json`
      await writeFile(
        join(dirs.app, config),
        JSON.stringify({
          compilerOptions: {
            strict: true,
            noEmit: true,
            module,
            moduleResolution: resolution,
            target: 'es2022',
            lib: ['es2022', 'dom'],
            // No @types/node and full checking of the package's declarations.
            types: [],
            skipLibCheck: false,
          },
          files: ['consumer.ts'],
        }),
      )
      await mustRun(process.execPath, [tsc, '-p', config], { cwd: dirs.app, env })
    }
  })

  test('bundled for a browser', async () => {
    const esbuild = await import('esbuild')
    await writeFile(
      join(dirs.app, 'browser.js'),
      "import { Granary } from '@granary/client'\nnew Granary({ apiKey: 'gr_x' }).files.list()\n",
    )
    const result = await esbuild.build({
      entryPoints: [join(dirs.app, 'browser.js')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      logLevel: 'silent',
    })
    const code = result.outputFiles[0]?.text ?? ''
    assert.match(code, /Granary/)
    assert.doesNotMatch(code, /\bimport\s*\(\s*["']node:/)
  })

  test('every client stores the same content type for the same file', async () => {
    const folder = join(work, 'types')
    await mkdir(folder)
    const names = ['calls.vcf', 'calls.vcf.gz', 'reads.bam', 'ref.fa.fai']
    for (const name of names) await writeFile(join(folder, name), `bytes of ${name}\n`)
    const authed = { ...env, GRANARY_URL: url, GRANARY_API_KEY: adminKey }
    const cli = await granary([
      'upload',
      ...names.map((n) => join(folder, n)),
      '--path',
      'ct/cli/',
      '-w',
      'ws_default',
    ])
    assert.equal(cli.code, 0, cli.stderr)
    await writeFile(
      join(dirs.app, 'types.mjs'),
      [
        "import { Granary } from '@granary/client'",
        'const client = new Granary({ workspaceId: "ws_default" })',
        'for (const path of process.argv.slice(2)) await client.files.upload(path, { path: "ct/ts/" })',
      ].join('\n'),
    )
    await mustRun(process.execPath, ['types.mjs', ...names.map((n) => join(folder, n))], {
      cwd: dirs.app,
      env: authed,
    })
    const python = [
      'import sys',
      'from granary import Client',
      'client = Client()',
      'for path in sys.argv[1:]:',
      '    client.files.upload(path, workspace_id="ws_default", path="ct/py/")',
    ].join('\n')
    await mustRun(
      join(dirs.venv, 'bin', 'python'),
      ['-c', python, ...names.map((n) => join(folder, n))],
      { cwd: folder, env: authed },
    )
    // curl -F file=@calls.vcf sends no type of its own: octet-stream.
    for (const name of names) {
      const form = new FormData()
      form.set('workspace_id', 'ws_default')
      form.set('path', 'ct/curl/')
      form.set('file', new Blob([await readFile(join(folder, name))]), name)
      const response = await fetch(`${url}/v1/files/upload`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminKey}` },
        body: form,
      })
      assert.equal(response.status, 201, await response.text())
    }
    const listed = (await (
      await fetch(`${url}/v1/files?workspace_id=ws_default&prefix=ct/`, {
        headers: { authorization: `Bearer ${adminKey}` },
      })
    ).json()) as { files: Array<{ key: string; name: string; content_type: string }> }
    const byName = new Map<string, Set<string>>()
    for (const file of listed.files) {
      byName.set(file.name, (byName.get(file.name) ?? new Set()).add(file.content_type))
    }
    assert.equal(listed.files.length, names.length * 4)
    assert.deepEqual(Object.fromEntries([...byName].map(([name, types]) => [name, [...types]])), {
      'calls.vcf': ['text/x-vcf'],
      'calls.vcf.gz': ['application/gzip'],
      'reads.bam': ['application/octet-stream'],
      'ref.fa.fai': ['text/tab-separated-values'],
    })
  })

  test("the seed's Python snippets run on the installed wheel", async () => {
    const driver = join(work, 'seed.py')
    await writeFile(
      driver,
      [
        'import os, sys, hashlib, pathlib',
        'import granary',
        'from granary import Client',
        'snippets = sorted(pathlib.Path(sys.argv[1]).glob("*.py"))',
        'os.chdir(sys.argv[2])',
        'pathlib.Path("sample.vcf").write_text("##fileformat=VCFv4.2\\n")',
        'pathlib.Path("large_genome.bam").write_bytes(hashlib.sha256(b"bam").digest() * 40000)',
        'namespace = {"client": Client(), "__name__": "__seed__"}',
        'for path in snippets:',
        '    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)',
        'print("granary", granary.__version__, granary.__file__)',
      ].join('\n'),
    )
    const seedDir = join(work, 'seed')
    await mkdir(seedDir)
    const out = await mustRun(
      join(dirs.venv, 'bin', 'python'),
      [driver, join(ROOT, 'python/tests/seed_snippets'), seedDir],
      { cwd: seedDir, env: { ...env, GRANARY_URL: url, GRANARY_API_KEY: adminKey } },
    )
    const [, version, file] = out.match(/^granary (\S+) (\S+)$/m) ?? []
    assert.equal(version, VERSION)
    assert.ok(file?.startsWith(dirs.venv), `imported from the venv, not the repository: ${file}`)
    assert.match(out, /Saved to /)
    assert.ok(existsSync(join(seedDir, 'output', 'sample.vcf')))
  })
})
