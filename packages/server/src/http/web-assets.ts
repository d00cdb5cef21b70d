/**
 * The web UI (packages/web, built into a folder of static files): `/` answers index.html,
 * `/viewer.html` the genome viewer's page (igv) and `/assets/*` the hashed bundles. The folder is
 * small (a couple of megabytes with igv), so it is read and gzipped once at start; nothing touches
 * the disk per request.
 */
import { readdir, readFile } from 'node:fs/promises'
import { extname, join, relative, sep } from 'node:path'
import { gzipSync } from 'node:zlib'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { AppError } from '../domain/errors.ts'

interface Asset {
  readonly body: Buffer
  readonly gzipped: Buffer | undefined
  readonly type: string
}

export interface WebAssetsOptions {
  /** The built UI: index.html and assets/. */
  readonly dir: string
  /** Origins the UI may also connect to (S3 endpoint for presigned PUTs, the public URL). */
  readonly connectOrigins: readonly string[]
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
}

/** Registers `/` and `/assets/*`; false (and nothing registered) when the folder has no UI. */
export async function webAssetRoutes(
  app: FastifyInstance,
  options: WebAssetsOptions,
): Promise<boolean> {
  const assets = await loadAssets(options.dir)
  const index = assets.get('index.html')
  if (!index) return false
  const csp = contentSecurityPolicy(options.connectOrigins)
  const hidden = { schema: { hide: true } }
  app.get('/', hidden, async (request, reply) => {
    reply.header('cache-control', 'no-cache')
    reply.header('content-security-policy', csp)
    return send(request, reply, index)
  })
  const viewer = assets.get('viewer.html')
  if (viewer) {
    const viewerCsp = viewerContentSecurityPolicy(options.connectOrigins)
    app.get('/viewer.html', hidden, async (request, reply) => {
      reply.header('cache-control', 'no-cache')
      reply.header('content-security-policy', viewerCsp)
      return send(request, reply, viewer)
    })
  }
  app.get<{ Params: { '*': string } }>('/assets/*', hidden, async (request, reply) => {
    const asset = assets.get(`assets/${request.params['*']}`)
    if (!asset)
      throw new AppError('route_not_found', 'No such asset; reload the page for the new UI.')
    // Names carry a content hash (esbuild [hash]), so a name never changes meaning.
    reply.header('cache-control', 'public, max-age=31536000, immutable')
    return send(request, reply, asset)
  })
  return true
}

/** The UI's own rules: scripts and styles from this origin only; never framed. */
export function contentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' blob: data:",
    `connect-src ${["'self'", ...connectOrigins].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

/**
 * The genome viewer's page only: igv inserts <style> elements, hence 'unsafe-inline' styles
 * (never scripts), and reads its reference (the file's contigs) from a blob: URL. The links it
 * reads are this origin's, or the public URL's.
 */
export function viewerContentSecurityPolicy(connectOrigins: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' blob: data:",
    `connect-src ${["'self'", 'blob:', ...connectOrigins].join(' ')}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ')
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset) {
  reply.header('content-type', asset.type)
  reply.header('x-content-type-options', 'nosniff')
  reply.header('referrer-policy', 'no-referrer')
  reply.header('x-frame-options', 'DENY')
  reply.header('vary', 'accept-encoding')
  if (asset.gzipped && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
    reply.header('content-encoding', 'gzip')
    return reply.send(asset.gzipped)
  }
  return reply.send(asset.body)
}

async function loadAssets(dir: string): Promise<Map<string, Asset>> {
  const assets = new Map<string, Asset>()
  let names: string[]
  try {
    names = await readdir(dir, { recursive: true })
  } catch {
    return assets
  }
  for (const name of names) {
    const type = TYPES[extname(name)]
    if (!type) continue
    const body = await readFile(join(dir, name)).catch(() => undefined)
    if (!body) continue
    const compress = body.length > 1024 && !type.startsWith('image/png')
    const key = relative(dir, join(dir, name)).split(sep).join('/')
    assets.set(key, { body, type, gzipped: compress ? gzipSync(body) : undefined })
  }
  return assets
}
