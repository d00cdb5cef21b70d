import type { FileHeaderResponse } from '@granary/protocol'
import type { Transport } from './transport.ts'

/** Options of `files.query` and `files.queryStream`. */
export interface QueryOptions {
  /** Defaults to the client's `workspaceId`. */
  workspaceId?: string
  /** One region or several: `chr1`, `chr1:1000`, `chr1:1000-2000` (1-based, inclusive). */
  region: string | readonly string[]
  /** At most this many records. */
  limit?: number
  /** Header lines first (text), or a first `{header, samples}` record (json). */
  header?: boolean
  /** CRAM: the key of the reference FASTA (with its .fai) in the same workspace. */
  referenceKey?: string
  signal?: AbortSignal
}

/** A parsed record of `files.query(..., { format: 'json' })`: VCF or SAM fields by name. */
export type QueryRecord = Record<string, unknown>

/** The answer's body as bytes, unparsed: what `bcftools`, `samtools` or `tabix` would print. */
export async function queryBody(
  transport: Transport,
  key: string,
  options: QueryOptions & { workspaceId: string; format: 'text' | 'json' },
): Promise<ReadableStream<Uint8Array>> {
  const regions = typeof options.region === 'string' ? [options.region] : options.region
  const params = new URLSearchParams()
  for (const region of regions) params.append('region', region)
  const query = {
    workspace_id: options.workspaceId,
    key,
    format: options.format,
    limit: options.limit,
    header: options.header,
    reference_key: options.referenceKey,
  }
  const response = await transport.send('GET', `/v1/files/query?${params}`, {
    query,
    signal: options.signal,
    headers: { accept: options.format === 'json' ? 'application/x-ndjson' : 'text/plain' },
  })
  return response.body ?? new Blob([]).stream()
}

/** The body's lines, without their newlines, decoded as UTF-8 across chunk boundaries. */
export async function* lines(body: ReadableStream<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder()
  let rest = ''
  const reader = body.getReader()
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      const text = rest + decoder.decode(value, { stream: true })
      const parts = text.split('\n')
      rest = parts.pop() ?? ''
      yield* parts
    }
    rest += decoder.decode()
    if (rest) yield rest
  } finally {
    await reader.cancel().catch(() => {})
  }
}

export async function fileHeader(
  transport: Transport,
  key: string,
  options: { workspaceId: string; signal?: AbortSignal },
): Promise<FileHeaderResponse> {
  const query = { workspace_id: options.workspaceId, key }
  return transport.json<FileHeaderResponse>('GET', '/v1/files/header', {
    query,
    signal: options.signal,
  })
}
