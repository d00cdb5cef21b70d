/** A whole Granary server for HTTP tests: real config, real stores, app.inject() instead of a socket. */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { OffsetClock } from '../../src/clocks.ts'
import { randomId } from '../../src/domain/ids.ts'
import { createServer, loadConfig, type Server } from '../../src/server.ts'
import type { Backend } from './backends.ts'
import { createTestDatabase } from './postgres-test-env.ts'

export const ADMIN_KEY = 'test-admin-key-0123456789abcdef'
export const PUBLIC_URL = 'http://granary.test'

export interface TestServer {
  readonly app: FastifyInstance
  readonly server: Server
  readonly dataDir: string
  /** The server's clock: real time plus an offset the test moves (no sleeping for an expiry). */
  readonly clock: OffsetClock
  /** Sends a request with the admin key unless `headers.authorization` says otherwise. */
  request(options: TestRequest): Promise<LightMyRequestResponse>
  /** Follows a signed URL: Granary's own through inject, S3's over the network. */
  fetchSigned(
    url: string,
    init?: { method?: string; headers?: Record<string, string>; body?: Buffer },
  ): Promise<SignedResponse>
  /** Creates a key with the given scopes on the given workspaces and answers its secret. */
  key(scopes: string[], workspaceIds: string[]): Promise<string>
  close(): Promise<void>
}

export interface TestRequest {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD'
  url: string
  query?: Record<string, string>
  json?: unknown
  headers?: Record<string, string>
  body?: Buffer | string
  /** Bearer key; null sends none. Defaults to the admin key. */
  as?: string | null
}

export interface SignedResponse {
  status: number
  headers: Record<string, string>
  body: Buffer
}

export async function startTestServer(
  backend: Backend,
  env: Record<string, string> = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'granary-http-'))
  // Each server gets its own PostgreSQL database, as it gets its own data folder.
  const database = backend.env.GRANARY_DATABASE_URL
    ? await createTestDatabase(backend.env.GRANARY_DATABASE_URL)
    : undefined
  const config = loadConfig({
    GRANARY_DATA_DIR: dataDir,
    GRANARY_ADMIN_KEY: ADMIN_KEY,
    GRANARY_PUBLIC_URL: PUBLIC_URL,
    GRANARY_LOG_LEVEL: 'silent',
    // Suites send many wrong keys on purpose; rate-limits.test.ts turns the limit on.
    GRANARY_RATE_LIMIT_AUTH_FAILURES: '0',
    ...backend.env,
    ...(database ? { GRANARY_DATABASE_URL: database.url } : {}),
    // ...and its own folder in the test bucket: servers running side by side never see (or
    // garbage-collect) each other's objects.
    ...(backend.env.GRANARY_STORAGE === 's3' ? { GRANARY_S3_PREFIX: `test-${randomId(12)}/` } : {}),
    ...env,
  })
  const clock = new OffsetClock()
  const server = await createServer(config, { clock })
  const app = server.app
  const request = (options: TestRequest) => {
    const auth = options.as === undefined ? ADMIN_KEY : options.as
    const headers: Record<string, string> = {
      ...(auth ? { authorization: `Bearer ${auth}` } : {}),
      ...options.headers,
    }
    if (options.json !== undefined) headers['content-type'] = 'application/json'
    return app.inject({
      method: options.method,
      url: options.url,
      ...(options.query ? { query: options.query } : {}),
      headers,
      ...(options.json !== undefined ? { payload: JSON.stringify(options.json) } : {}),
      ...(options.body !== undefined ? { payload: options.body } : {}),
    })
  }
  return {
    app,
    server,
    dataDir,
    clock,
    request,
    async fetchSigned(url, init = {}) {
      if (url.startsWith(PUBLIC_URL)) {
        const response = await app.inject({
          method: (init.method ?? 'GET') as 'GET',
          url: url.slice(PUBLIC_URL.length),
          headers: init.headers ?? {},
          ...(init.body ? { payload: init.body } : {}),
        })
        return {
          status: response.statusCode,
          headers: response.headers as Record<string, string>,
          body: response.rawPayload,
        }
      }
      const response = await fetch(url, {
        method: init.method ?? 'GET',
        headers: init.headers ?? {},
        ...(init.body ? { body: new Uint8Array(init.body) } : {}),
      })
      return {
        status: response.status,
        headers: Object.fromEntries(response.headers),
        body: Buffer.from(await response.arrayBuffer()),
      }
    },
    async key(scopes, workspaceIds) {
      const response = await request({
        method: 'POST',
        url: '/v1/keys',
        json: { name: 'test', scopes, workspace_ids: workspaceIds },
      })
      if (response.statusCode !== 201) throw new Error(`creating a key failed: ${response.body}`)
      return response.json().secret as string
    },
    async close() {
      await server.close()
      await database?.drop()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}

/**
 * Runs `sign` with the server's clock 10 s back, so a URL valid for 1 s is already expired when
 * it comes back: by Granary's clock, and by an S3 server's real one (which no test can move).
 */
export async function signedInThePast<T>(server: TestServer, sign: () => Promise<T>): Promise<T> {
  server.clock.advance(-10_000)
  try {
    return await sign()
  } finally {
    server.clock.advance(10_000)
  }
}

/** A multipart/form-data body with text fields first, then the file. */
export function formBody(
  fields: Record<string, string>,
  file: { filename: string; content: Buffer | string; contentType?: string },
): { body: Buffer; headers: Record<string, string> } {
  const boundary = `----granary${Math.random().toString(36).slice(2)}`
  const parts: Buffer[] = []
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
      ),
    )
  }
  // RFC 2616 quoted-string escaping, which busboy decodes (browsers send %22 instead).
  const filename = file.filename.replace(/[\\"]/g, (c) => `\\${c}`)
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
    ),
    Buffer.isBuffer(file.content) ? file.content : Buffer.from(file.content),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  )
  return {
    body: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  }
}

/** Uploads through the form and answers the response. */
export function uploadForm(
  server: TestServer,
  options: {
    workspaceId?: string
    path?: string
    filename: string
    content: Buffer | string
    as?: string | null
    fields?: Record<string, string>
  },
) {
  const fields: Record<string, string> = {
    workspace_id: options.workspaceId ?? 'ws_default',
    ...options.fields,
  }
  if (options.path !== undefined) fields.path = options.path
  const form = formBody(fields, { filename: options.filename, content: options.content })
  return server.request({
    method: 'POST',
    url: '/v1/files/upload',
    headers: form.headers,
    body: form.body,
    ...(options.as !== undefined ? { as: options.as } : {}),
  })
}

/** Creates a workspace named after its id (a test's own, so counters and listings start empty). */
export async function createWorkspace(server: TestServer, id: string): Promise<string> {
  const made = await server.request({
    method: 'POST',
    url: '/v1/workspaces',
    json: { id, name: id },
  })
  if (made.statusCode !== 201) throw new Error(`POST /v1/workspaces ${id}: ${made.body}`)
  return id
}

/**
 * The seed's semantics for a suite written before versions and trash (issue 14): a replace or a
 * delete frees the bytes at once (trash_days 0, keep_versions 1).
 */
export async function withoutHistory(server: TestServer, workspaceId = 'ws_default') {
  const response = await server.request({
    method: 'PATCH',
    url: `/v1/workspaces/${workspaceId}`,
    json: { trash_days: 0, keep_versions: 1 },
  })
  if (response.statusCode !== 200) throw new Error(`PATCH workspace: ${response.body}`)
}
