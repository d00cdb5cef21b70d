/**
 * What most people write: Fastify with @fastify/multipart, saving the file part with `pipeline`
 * as the plugin's README shows. Run as a child process (PORT, BENCH_DATA_DIR).
 */
import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import multipart from '@fastify/multipart'
import Fastify from 'fastify'

const dir = join(process.env.BENCH_DATA_DIR ?? '.', 'files')
mkdirSync(dir, { recursive: true })
let uploads = 0

const app = Fastify({ logger: false })
await app.register(multipart, { limits: { fileSize: Number.MAX_SAFE_INTEGER, files: 1 } })
app.get('/healthz', async () => ({ status: 'ok' }))
app.post('/upload', async (request, reply) => {
  const part = await request.file()
  if (!part) return reply.code(400).send({ error: 'no file' })
  const name = `u${uploads++}`
  await pipeline(part.file, createWriteStream(join(dir, name)))
  return reply.code(201).send({ name, filename: part.filename })
})
await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' })
process.once('SIGTERM', () => app.close().then(() => process.exit(0)))
