/**
 * A test server listening on a real loopback port (htslib tools and browsers need a socket) with
 * the genomics fixtures uploaded under `gen/`. Close it with `server.close()`.
 */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import type { Backend } from './backends.ts'
import { type GenomicsFixtures, genomicsFixtures } from './genomics-fixtures.ts'
import { startTestServer, type TestServer, uploadForm } from './test-server.ts'

export interface GenomicsServer {
  readonly server: TestServer
  readonly fixtures: GenomicsFixtures
  /** The server's address, also its GRANARY_PUBLIC_URL. */
  readonly url: string
  /** Where the fixtures are: `gen/<fixture name>`. */
  readonly folder: string
}

export async function startGenomicsServer(
  backend: Backend,
  env: Record<string, string> = {},
): Promise<GenomicsServer> {
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  const server = await startTestServer(backend, { GRANARY_PUBLIC_URL: url, ...env })
  try {
    await server.app.listen({ host: '127.0.0.1', port })
    const fixtures = await genomicsFixtures()
    for (const name of fixtures.names) {
      const content = readFileSync(fixtures.path(name))
      const response = await uploadForm(server, { path: 'gen/', filename: name, content })
      assert.equal(response.statusCode, 201, response.body)
    }
    return { server, fixtures, url, folder: 'gen/' }
  } catch (error) {
    await server.close()
    throw error
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address()
      const port = typeof address === 'object' && address ? address.port : 0
      probe.close(() => resolve(port))
    })
  })
}
