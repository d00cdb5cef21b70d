/**
 * Part 1: form upload through POST /v1/files/upload against the limit (raw pipe + SHA-256 +
 * fsync), @tus/server (one PATCH) and Fastify + @fastify/multipart, on the same bytes.
 * Part 2 reuses it for the large-file flow and the multipart session against the limit.
 */
import type { ChildServer } from '../support/child-server.ts'
import { type Comparison, compare, interleave, measure } from '../support/measure.ts'
import { cleanup, GRANARY, primeDigests, type Upload, uploadFor } from '../support/peers.ts'
import { MiB } from '../support/stats.ts'

export interface UploadRun {
  readonly servers: Readonly<Record<string, ChildServer>>
  readonly uploads: Readonly<Record<string, Upload>>
  readonly size: number
  readonly rounds: number
  readonly log: (line: string) => void
  /** The part size, for uploads in parts (their digests are computed before measuring too). */
  readonly partSize?: number
}

export async function compareUploads(run: UploadRun): Promise<Comparison> {
  const names = Object.keys(run.uploads)
  await warmUp(run, names)
  const samples = await interleave(names, run.rounds, async (name, round) => {
    const server = serverFor(run, name)
    const upload = uploadFor(run.uploads, name)
    const sample = await measure(server, run.size, () => upload(server, run.size, `r${round}.bin`))
    await cleanup(server, `r${round}.bin`)
    run.log(`  ${name} round ${round + 1}: ${(run.size / 1e6 / sample.seconds).toFixed(1)} MB/s`)
    return sample
  })
  return compare(GRANARY, run.size, samples)
}

/**
 * One small unmeasured upload each, so JIT warm-up and lazy loading are not measured, and the
 * client's expected digests computed up front, so the first measured round does not pay for them.
 */
async function warmUp(run: UploadRun, names: readonly string[]) {
  primeDigests(run.size, run.partSize)
  for (const name of names) {
    const server = serverFor(run, name)
    await uploadFor(run.uploads, name)(server, 4 * MiB, 'warm.bin')
    await cleanup(server, 'warm.bin')
  }
}

function serverFor(run: UploadRun, name: string): ChildServer {
  const server = run.servers[name]
  if (!server) throw new Error(`no server started for ${name}`)
  return server
}
