/**
 * Listing over HTTP: autocannon on GET /v1/files (a 100-file page, authenticated) against the
 * trivial /healthz route on the same server, interleaved; requests/s and p99 latency.
 */
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
  /** list/healthz requests per second, paired by round. */
  readonly ratios: Record<string, Spread>
}

const CONNECTIONS = 10

export async function compareRoutes(
  server: ChildServer,
  profile: Profile,
  log: (line: string) => void,
): Promise<RouteComparison> {
  const paths: Record<string, string> = {
    list: `/v1/files?${new URLSearchParams({ workspace_id: WORKSPACE, prefix: 'p000/q001/', limit: '100' })}`,
    folders: `/v1/files?${new URLSearchParams({ workspace_id: WORKSPACE, prefix: 'p000/', limit: '100', delimiter: '/' })}`,
    healthz: '/healthz',
  }
  await hammer(server, paths.list as string, 1) // warm-up
  const runs = await interleave(Object.keys(paths), profile.rounds, async (name, round) => {
    const result = await hammer(server, paths[name] as string, profile.httpSeconds)
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
  }
  return { connections: CONNECTIONS, routes, ratios }
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
