/**
 * Listing over HTTP: autocannon on GET /v1/files (a 100-file page, authenticated) against the
 * trivial /healthz route on the same server, and against the same pages from the baseline server
 * (`baseline`, `baseline-folders`), interleaved; requests/s and p99 latency.
 */
import assert from 'node:assert/strict'
import autocannon from 'autocannon'
import { authHeaders } from '../client/granary-api.ts'
import type { ChildServer } from '../support/child-server.ts'
import { interleave } from '../support/measure.ts'
import type { Profile } from '../support/profiles.ts'
import { pairedRatio, type Spread, spread } from '../support/stats.ts'
import { WORKSPACE } from './listing-seed.ts'

export interface RouteStats {
  readonly path: string
  readonly requestsPerSecond: Spread
  readonly p99Ms: Spread
}

export interface RouteComparison {
  readonly connections: number
  readonly routes: Record<string, RouteStats>
  /** list/healthz, list/baseline, ... requests per second, paired by round. */
  readonly ratios: Record<string, Spread>
}

const CONNECTIONS = 10

export async function compareRoutes(
  server: ChildServer,
  baseline: ChildServer,
  profile: Profile,
  log: (line: string) => void,
): Promise<RouteComparison> {
  const paths: Record<string, string> = {
    list: `/v1/files?${new URLSearchParams({ workspace_id: WORKSPACE, prefix: 'p000/q001/', limit: '100' })}`,
    folders: `/v1/files?${new URLSearchParams({ workspace_id: WORKSPACE, prefix: 'p000/', limit: '100', delimiter: '/' })}`,
    healthz: '/healthz',
  }
  paths.baseline = paths.list as string
  paths['baseline-folders'] = paths.folders as string
  const serverOf = (name: string) => (name.startsWith('baseline') ? baseline : server)
  for (const name of ['list', 'folders'])
    await assertSameAnswer(server, baseline, paths[name] as string)
  await hammer(server, paths.list as string, 1) // warm-up
  await hammer(baseline, paths.list as string, 1)
  const runs = await interleave(Object.keys(paths), profile.rounds, async (name, round) => {
    const result = await hammer(serverOf(name), paths[name] as string, profile.httpSeconds)
    log(`  ${name} round ${round + 1}: ${result.requests.average.toFixed(0)} req/s`)
    return result
  })
  const perSecond = (name: string) => (runs[name] ?? []).map((r) => r.requests.average)
  const routes = Object.fromEntries(
    Object.entries(runs).map(([name, list]) => [
      name,
      {
        path: paths[name] as string,
        requestsPerSecond: spread(perSecond(name)),
        p99Ms: spread(list.map((r) => r.latency.p99)),
      },
    ]),
  )
  const ratios = {
    'list/healthz': pairedRatio(perSecond('list'), perSecond('healthz')),
    'folders/healthz': pairedRatio(perSecond('folders'), perSecond('healthz')),
    'list/baseline': pairedRatio(perSecond('list'), perSecond('baseline')),
    'folders/baseline': pairedRatio(perSecond('folders'), perSecond('baseline-folders')),
  }
  return { connections: CONNECTIONS, routes, ratios }
}

/** The baseline is only fair if it answers exactly what Granary answers. */
async function assertSameAnswer(server: ChildServer, baseline: ChildServer, path: string) {
  const [ours, theirs] = await Promise.all(
    [server, baseline].map(async (target) => {
      const response = await fetch(`${target.url}${path}`, { headers: authHeaders })
      if (!response.ok) throw new Error(`${target.name} ${path}: ${response.status}`)
      return response.json()
    }),
  )
  assert.deepStrictEqual(theirs, ours, `the baseline answers ${path} differently`)
}

async function hammer(server: ChildServer, path: string, seconds: number) {
  const result = await autocannon({
    url: `${server.url}${path}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { ...authHeaders },
  })
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${path}: ${result.non2xx} non-2xx answers, ${result.errors} errors`)
  }
  return result
}
