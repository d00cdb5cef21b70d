/**
 * Multipart sessions end to end, black-box: the TypeScript client and the CLI against a real
 * server process, through a counting proxy (GRANARY_PUBLIC_URL points at it, so part URLs go
 * through it too). A few hundred MB at most; the > 5 GiB run is the large-file suite's.
 */
import assert from 'node:assert/strict'
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { mkdtemp, open, readdir, rm, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, request, type Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Granary, type Progress } from '@granary/client'
import {
  ADMIN_KEY,
  freePort,
  ROOT,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.ts'

const MiB = 1024 * 1024
const PART = 5 * MiB

/** Forwards everything to the server, counting request bytes of part PUTs and response bytes of blob GETs. */
class CountingProxy {
  target = ''
  putBytes = 0
  getBytes = 0
  signCalls = 0
  refusedPuts = 0
  /** Holds matching requests this long before forwarding (simulates a slow link). */
  delay: (req: IncomingMessage) => number = () => 0
  onPutBytes: (total: number) => void = () => {}
  readonly #server: Server

  constructor() {
    this.#server = createServer((req, res) => {
      if (req.method === 'POST' && /\/v1\/files\/uploads\/[^/]+\/parts$/.test(req.url ?? '')) {
        this.signCalls++
      }
      const isPart = req.method === 'PUT' && /\/parts\/\d+/.test(req.url ?? '')
      setTimeout(() => this.#forward(req, res, isPart), this.delay(req))
    })
  }

  #forward(req: IncomingMessage, res: import('node:http').ServerResponse, isPart: boolean) {
    const url = new URL(req.url ?? '/', this.target)
    const upstream = request(url, { method: req.method, headers: req.headers }, (answer) => {
      if (isPart && answer.statusCode === 403) this.refusedPuts++
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      if (req.method === 'GET' && /^\/v1\/(blobs|links)\//.test(url.pathname)) {
        answer.on('data', (chunk: Buffer) => {
          this.getBytes += chunk.length
        })
      }
      answer.pipe(res)
    })
    upstream.on('error', () => res.destroy())
    res.on('close', () => upstream.destroy())
    if (isPart) {
      req.on('data', (chunk: Buffer) => {
        this.putBytes += chunk.length
        this.onPutBytes(this.putBytes)
      })
    }
    req.pipe(upstream)
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(port, '127.0.0.1', resolve))
  }

  reset(): void {
    this.putBytes = 0
    this.getBytes = 0
    this.signCalls = 0
    this.refusedPuts = 0
    this.delay = () => 0
    this.onPutBytes = () => {}
  }

  close(): Promise<void> {
    this.#server.closeAllConnections()
    return new Promise((resolve) => this.#server.close(() => resolve()))
  }
}

/** A file of random bytes written in 8 MiB pieces; answers its SHA-256. */
async function randomFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256')
  const handle = await open(path, 'w')
  for (let done = 0; done < size; ) {
    const chunk = randomBytes(Math.min(8 * MiB, size - done))
    hash.update(chunk)
    await handle.write(chunk)
    done += chunk.length
  }
  await handle.close()
  return hash.digest('hex')
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode)
    else child.once('exit', (code) => resolve(code))
  })
}

const mbps = (bytes: number, ms: number) => `${(((bytes / MiB) * 1000) / ms).toFixed(1)} MiB/s`

describe('multipart sessions against a running server', () => {
  let server: ServerProcess
  let proxy: CountingProxy
  let proxyUrl: string
  let client: Granary
  let work: string
  const cli = (args: string[]) =>
    spawn(process.execPath, [join(ROOT, 'packages/cli/bin/granary.js'), ...args], {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '',
        GRANARY_URL: proxyUrl,
        GRANARY_API_KEY: ADMIN_KEY,
        GRANARY_STATE_DIR: join(work, 'state'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })

  before(async () => {
    const port = await freePort()
    proxyUrl = `http://127.0.0.1:${port}`
    proxy = new CountingProxy()
    await proxy.listen(port)
    server = await startServerProcess({ GRANARY_PUBLIC_URL: proxyUrl })
    proxy.target = server.url
    client = new Granary({ baseUrl: proxyUrl, apiKey: ADMIN_KEY, workspaceId: 'ws_default' })
    work = await mkdtemp(join(tmpdir(), 'granary-e2e-multipart-'))
  })
  after(async () => {
    await proxy.close()
    await server.stop()
    await rm(work, { recursive: true, force: true })
  })

  test('a multipart upload through the client arrives byte-exact', async () => {
    proxy.reset()
    const size = 64 * MiB + 12_345
    const local = join(work, 'client.bam')
    const expected = await randomFile(local, size)
    const started = Date.now()
    let last: Progress = { loaded: 0, total: undefined }
    const info = await client.files.uploadFile(local, {
      path: 'bam/',
      multipartThreshold: MiB,
      partSize: PART,
      onProgress: (p) => {
        last = p
      },
    })
    const ms = Date.now() - started
    assert.equal(info.sha256, expected)
    assert.equal(info.size, size)
    assert.equal(last.loaded, size)
    assert.equal(proxy.putBytes, size, 'every byte sent once')
    assert.equal(await client.files.uploads.list().then((u) => u.length), 0, 'session closed')
    const back = await client.files.download('bam/client.bam', { dest: join(work, 'back/') })
    assert.equal(await sha256Of(back), expected)
    console.log(`# client multipart upload: ${size} B in ${ms} ms (${mbps(size, ms)})`)
  })

  test('a CLI upload killed at a random moment continues where it stopped', async () => {
    proxy.reset()
    const size = 160 * MiB
    const local = join(work, 'killed.bam')
    const expected = await randomFile(local, size)
    const args = ['upload', local, '--path', 'bam/', '--multipart-threshold', '1MiB']
    args.push('--part-size', '5MiB', '--concurrency', '2', '--json')
    const killAt = Math.floor(size * (0.2 + Math.random() * 0.6))
    const first = cli(args)
    proxy.onPutBytes = (total) => {
      if (total >= killAt) first.kill('SIGKILL')
    }
    await exited(first)
    assert.equal(first.signalCode, 'SIGKILL', 'killed mid-transfer')
    const firstBytes = proxy.putBytes
    assert.equal((await readdir(join(work, 'state', 'uploads'))).length, 1, 'state kept')

    proxy.reset()
    const second = cli(args)
    let stdout = ''
    let stderr = ''
    second.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk
    })
    second.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk
    })
    assert.equal(await exited(second), 0, stderr)
    const [info] = JSON.parse(stdout)
    assert.equal(info.sha256, expected)
    assert.ok(proxy.putBytes < size, `second run sent ${proxy.putBytes} of ${size} bytes`)
    assert.match(stderr, /resuming upload up_/)
    assert.deepEqual(await readdir(join(work, 'state', 'uploads')), [], 'state removed')
    const back = await client.files.download('bam/killed.bam', { dest: join(work, 'back/') })
    assert.equal(await sha256Of(back), expected)
    console.log(
      `# CLI killed after ${firstBytes} B sent (target ${killAt}); the re-run sent ${proxy.putBytes} B of ${size}`,
    )
  })

  test('part URLs that expire are signed again transparently', async () => {
    proxy.reset()
    const size = 6 * PART
    const local = join(work, 'expiring.bam')
    const expected = await randomFile(local, size)
    // URLs valid 2 s; part 3 is held 2.5 s on the way, so it reaches the server expired (403).
    let held = false
    proxy.delay = (req) => {
      if (req.method !== 'PUT' || !/\/parts\/3\?/.test(req.url ?? '') || held) return 150
      held = true
      return 2500
    }
    const info = await client.files.uploadFile(local, {
      multipartThreshold: MiB,
      partSize: PART,
      partUrlExpiresIn: 2,
      concurrency: 2,
    })
    assert.equal(info.sha256, expected)
    assert.ok(proxy.refusedPuts >= 1, 'the late part was refused')
    assert.ok(proxy.signCalls >= 2, `signed ${proxy.signCalls} time(s)`)
  })

  test('a large download killed mid-way resumes from its ranges', async () => {
    proxy.reset()
    const size = 96 * MiB + 7
    const local = join(work, 'download-src.bam')
    const expected = await randomFile(local, size)
    await client.files.uploadFile(local, {
      path: 'dl/',
      multipartThreshold: MiB,
      partSize: 16 * MiB,
    })
    const dest = join(work, 'dl-out', 'genome.bam')
    proxy.reset()
    // Slow ranges so the kill lands mid-download.
    proxy.delay = (req) =>
      req.method === 'GET' && /^\/v1\/(blobs|links)\//.test(req.url ?? '') ? 200 : 0
    const child = cli(['download', 'dl/download-src.bam', dest])
    const partial = `${dest}.granary-partial.json`
    const deadline = Date.now() + 30_000
    let doneRanges = 0
    while (Date.now() < deadline && doneRanges < 2) {
      await new Promise((resolve) => setTimeout(resolve, 20))
      doneRanges = await import('node:fs/promises')
        .then((fs) => fs.readFile(partial, 'utf8'))
        .then((text) => (JSON.parse(text) as { done: number[] }).done.length)
        .catch(() => 0)
    }
    child.kill('SIGKILL')
    await exited(child)
    assert.ok(doneRanges >= 2, 'some ranges were complete before the kill')
    const firstBytes = proxy.getBytes
    proxy.reset()
    const started = Date.now()
    const path = await client.files.download('dl/download-src.bam', { dest })
    const ms = Date.now() - started
    assert.equal(path, dest)
    assert.equal((await stat(dest)).size, size)
    assert.equal(await sha256Of(dest), expected)
    assert.ok(proxy.getBytes < size, `resumed download fetched ${proxy.getBytes} of ${size} bytes`)
    assert.deepEqual(
      (await readdir(join(work, 'dl-out'))).sort(),
      ['genome.bam'],
      'no partial or sidecar left',
    )
    console.log(
      `# download killed after ${firstBytes} B; resumed fetched ${proxy.getBytes} B of ${size} in ${ms} ms`,
    )
  })
})
