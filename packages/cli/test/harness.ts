import { Granary } from '@granary/client'
import type { RunIO } from '../src/context.ts'
import { run } from '../src/run.ts'
import type { LoadServer } from '../src/serve.ts'

export interface SeenRequest {
  method: string
  url: URL
  headers: Headers
  body: Buffer
}

export type Handler = (request: SeenRequest) => Response | Promise<Response>

/** Collects what the CLI writes. */
export function collector(isTTY = false) {
  let text = ''
  return { write: (chunk: string) => (text += chunk), isTTY, text: () => text }
}

export interface CliResult {
  code: number
  stdout: string
  stderr: string
  requests: SeenRequest[]
}

export interface CliRunOptions {
  env?: Record<string, string | undefined>
  loadServer?: LoadServer
}

/** Runs the CLI in-process against a handler standing in for the server. */
export async function runCli(
  argv: string[],
  handler: Handler = () => json({}),
  options: CliRunOptions = {},
): Promise<CliResult> {
  const requests: SeenRequest[] = []
  const fetch = async (input: string | URL | Request, init: RequestInit = {}) => {
    const body = init.body
      ? Buffer.from(await new Response(init.body).arrayBuffer())
      : Buffer.alloc(0)
    const request = {
      method: init.method ?? 'GET',
      url: new URL(String(input)),
      headers: new Headers(init.headers),
      body,
    }
    requests.push(request)
    return handler(request)
  }
  const stdout = collector()
  const stderr = collector()
  const client = new Granary({ baseUrl: 'http://granary.test', apiKey: 'gk_test', fetch })
  const io: RunIO = { client, stdout, stderr, env: options.env ?? {} }
  const code = await run(argv, io, { loadServer: options.loadServer })
  return { code, stdout: stdout.text(), stderr: stderr.text(), requests }
}

export function json(value: unknown, status = 200): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json' },
  })
}

export function fileInfo(key: string, size = 1536): Record<string, unknown> {
  return {
    id: `f_${key}`,
    workspace_id: 'ws_default',
    key,
    name: key.split('/').pop(),
    size,
    content_type: 'application/octet-stream',
    description: null,
    sha256: 'a'.repeat(64),
    created_at: '2025-03-04T05:06:07.000Z',
    updated_at: '2025-03-04T05:06:07.000Z',
  }
}
