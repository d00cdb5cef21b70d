/**
 * The peer: @tus/server with @tus/file-store, as its README sets it up. The benchmark creates an
 * upload (POST) and sends all bytes in one PATCH. Run as a child process (PORT, BENCH_DATA_DIR).
 */
import { createServer } from 'node:http'
import { join } from 'node:path'
import { FileStore } from '@tus/file-store'
import { Server } from '@tus/server'

const tus = new Server({
  path: '/files',
  datastore: new FileStore({ directory: join(process.env.BENCH_DATA_DIR ?? '.', 'files') }),
})

const server = createServer((request, response) => {
  if (request.url === '/healthz') {
    response.writeHead(200, { 'content-type': 'application/json' })
    response.end('{"status":"ok"}')
    return
  }
  tus.handle(request, response).catch(() => response.destroy())
})
server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1')
process.once('SIGTERM', () => server.close(() => process.exit(0)))
