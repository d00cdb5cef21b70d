/**
 * The machine's limit: node:http with no framework. POST or PUT /upload pipes the body to a file
 * with SHA-256 and fsync before answering; GET /files/<name> serves a file with fs.createReadStream
 * and single byte ranges. Run as a child process by the benchmark (PORT, BENCH_DATA_DIR).
 */
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs'
import { open, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'

const dir = join(process.env.BENCH_DATA_DIR ?? '.', 'files')
mkdirSync(dir, { recursive: true })
let uploads = 0

async function receive(request: IncomingMessage, response: ServerResponse) {
  const name = new URL(request.url ?? '/', 'http://x').searchParams.get('name') ?? `u${uploads++}`
  const hash = createHash('sha256')
  const path = join(dir, name)
  let size = 0
  await pipeline(
    request,
    async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        hash.update(chunk)
        size += chunk.length
        yield chunk
      }
    },
    createWriteStream(path),
  )
  // fsync through a second descriptor: Linux flushes the file's dirty pages whichever fd asks.
  const file = await open(path, 'r+')
  try {
    await file.sync()
  } finally {
    await file.close()
  }
  json(response, 201, { name, size, sha256: hash.digest('hex') })
}

async function serve(request: IncomingMessage, response: ServerResponse, name: string) {
  const path = join(dir, name)
  const { size } = await stat(path)
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? '')
  if (!range) {
    response.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream' })
    await pipeline(createReadStream(path), response)
    return
  }
  const start = Number(range[1])
  const end = Math.min(range[2] ? Number(range[2]) : size - 1, size - 1)
  response.writeHead(206, {
    'content-length': end - start + 1,
    'content-range': `bytes ${start}-${end}/${size}`,
    'content-type': 'application/octet-stream',
  })
  await pipeline(createReadStream(path, { start, end }), response)
}

function json(response: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': text.length })
  response.end(text)
}

const server = createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0] ?? '/'
  const work =
    path === '/healthz'
      ? Promise.resolve(json(response, 200, { status: 'ok' }))
      : path === '/upload'
        ? receive(request, response)
        : path.startsWith('/files/')
          ? serve(request, response, path.slice('/files/'.length).replaceAll('/', '_'))
          : Promise.resolve(json(response, 404, { error: 'not found' }))
  work.catch((error: unknown) => {
    if (!response.headersSent) json(response, 500, { error: String(error) })
    else response.destroy()
  })
})
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1')
process.once('SIGTERM', () => server.close(() => process.exit(0)))
