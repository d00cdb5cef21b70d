/**
 * Part 6: many clients uploading at once, Granary's form upload against the limit: aggregate
 * MB/s, the p99 time per file and the server's peak RSS.
 */
import type { ChildServer } from '../support/child-server.ts'
import { interleave, measure } from '../support/measure.ts'
import { cleanup, GRANARY, LIMIT, primeDigests, uploadFor, uploads } from '../support/peers.ts'
import { mbPerSecond, pairedRatio, percentile, type Spread, spread } from '../support/stats.ts'

export interface ConcurrencyRun {
  readonly servers: Readonly<Record<string, ChildServer>>
  readonly clients: number
  readonly size: number
  readonly rounds: number
  readonly log: (line: string) => void
}

export interface ConcurrencyStats {
  readonly aggregateMbPerSecond: Spread
  readonly p99SecondsPerFile: Spread
  readonly peakRssBytes: Spread
}

export interface ConcurrencyResult {
  readonly clients: number
  readonly sizeBytes: number
  readonly configs: Record<string, ConcurrencyStats>
  readonly ratios: Record<string, Spread>
}

interface Round {
  aggregate: number
  p99: number
  peakRss: number
}

export async function compareConcurrency(run: ConcurrencyRun): Promise<ConcurrencyResult> {
  const names = [GRANARY, LIMIT]
  primeDigests(run.size)
  const rounds = await interleave(names, run.rounds, async (name, round) => {
    const result = await concurrentRound(run, name)
    run.log(`  ${name} round ${round + 1}: ${result.aggregate.toFixed(1)} MB/s aggregate`)
    return result
  })
  const configs = Object.fromEntries(
    names.map((name) => {
      const list = rounds[name] ?? []
      const stats: ConcurrencyStats = {
        aggregateMbPerSecond: spread(list.map((r) => r.aggregate)),
        p99SecondsPerFile: spread(list.map((r) => r.p99)),
        peakRssBytes: spread(list.map((r) => r.peakRss)),
      }
      return [name, stats]
    }),
  )
  const aggregates = (name: string) => (rounds[name] ?? []).map((r) => r.aggregate)
  const ratios = { [`${GRANARY}/${LIMIT}`]: pairedRatio(aggregates(GRANARY), aggregates(LIMIT)) }
  return { clients: run.clients, sizeBytes: run.size, configs, ratios }
}

async function concurrentRound(run: ConcurrencyRun, name: string): Promise<Round> {
  const server = run.servers[name] as ChildServer
  const upload = uploadFor(uploads, name)
  const names = Array.from({ length: run.clients }, (_, index) => `c${index}.bin`)
  const seconds: number[] = []
  const total = run.clients * run.size
  const sample = await measure(server, total, () =>
    Promise.all(
      names.map(async (file) => {
        const started = performance.now()
        await upload(server, run.size, file)
        seconds.push((performance.now() - started) / 1000)
      }),
    ),
  )
  for (const file of names) await cleanup(server, file)
  return {
    aggregate: mbPerSecond(total, sample.seconds),
    p99: percentile(seconds, 99),
    peakRss: sample.peakRss,
  }
}
