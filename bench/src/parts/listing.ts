/**
 * Part 4: listing a workspace of N files (seeded into SQLite). In process: p50/p99 of the store's
 * listFiles for 100-file prefix pages, of the folder view and of each page of a cursor walk over
 * everything. Over HTTP: autocannon on GET /v1/files against /healthz on the same server, and
 * against `baseline`: a minimal Fastify + better-sqlite3 server running the same page queries on
 * the same SQLite file (servers/list-baseline-server.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { prefixUpperBound } from '../../../packages/server/src/domain/keys.ts'
import { listFiles } from '../../../packages/server/src/domain/listing.ts'
import type { MetadataStore } from '../../../packages/server/src/domain/ports.ts'
import { openSqliteStore } from '../../../packages/server/src/metadata/sqlite/open-sqlite-store.ts'
import { ChildServer } from '../support/child-server.ts'
import { granarySpec } from '../support/peers.ts'
import type { Profile } from '../support/profiles.ts'
import { compareRoutes, type RouteComparison } from './listing-http.ts'
import { type Latency, latencies, summarizeLatency } from './listing-latency.ts'
import { databasePath, seededFolders, seedStore, WORKSPACE } from './listing-seed.ts'

export interface ListingResult {
  readonly files: number
  readonly seedSeconds: number
  readonly inProcess: {
    /** store.listFiles: 100 rows from a random top-level prefix. */
    readonly storePage: Latency
    /** listing.ts listFiles: a 100-file page under a random leaf folder. */
    readonly prefixPage: Latency
    /** listing.ts with delimiter '/': the folders of a random top-level folder. */
    readonly folderView: Latency
    /** Each 100-file page of a cursor walk over the whole workspace. */
    readonly cursorWalk: Latency & { readonly rowsPerSecond: number }
  }
  readonly http: RouteComparison
}

export async function measureListing(
  profile: Profile,
  log: (line: string) => void,
  nodeFlags: readonly string[] = [],
): Promise<ListingResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'granary-bench-listing-'))
  try {
    const seedSeconds = await seedStore(dataDir, profile.listingFiles)
    log(`  seeded ${profile.listingFiles} files in ${seedSeconds.toFixed(1)} s`)
    const inProcess = await measureInProcess(dataDir, profile)
    log(`  in-process store page p99 ${inProcess.storePage.p99Ms.toFixed(2)} ms`)
    const server = await ChildServer.start({ ...granarySpec(nodeFlags), dataDir })
    try {
      const baseline = await ChildServer.start({ ...baselineSpec, dataDir })
      try {
        const http = await compareRoutes(server, baseline, profile, log)
        return { files: profile.listingFiles, seedSeconds, inProcess, http }
      } finally {
        await baseline.stop()
      }
    } finally {
      await server.stop()
    }
  } finally {
    await rm(dataDir, { recursive: true, force: true })
  }
}

const baselineSpec = { name: 'baseline', entry: 'bench/src/servers/list-baseline-server.ts' }

async function measureInProcess(dataDir: string, profile: Profile) {
  const store = await openSqliteStore(databasePath(dataDir))
  try {
    const { tops, leaves } = seededFolders(profile.listingFiles)
    const top = (i: number) => `p${String(i % tops).padStart(3, '0')}/`
    const leaf = (i: number) =>
      `p${String(Math.floor(i / 100) % tops).padStart(3, '0')}/q${String(i % 100).padStart(3, '0')}/`
    const calls = profile.listingCalls
    const storePage = await latencies(calls, (i) => storeCall(store, top(i * 7919)))
    const prefixPage = await latencies(calls, (i) =>
      listFiles(store, { workspaceId: WORKSPACE, prefix: leaf((i * 7919) % leaves), limit: 100 }),
    )
    const folderView = await latencies(Math.max(10, calls / 20), (i) =>
      listFiles(store, { workspaceId: WORKSPACE, prefix: top(i), limit: 100, delimiter: '/' }),
    )
    return { storePage, prefixPage, folderView, cursorWalk: await cursorWalk(store) }
  } finally {
    await store.close()
  }
}

function storeCall(store: MetadataStore, prefix: string) {
  const before = prefixUpperBound(prefix)
  return store.listFiles({
    workspaceId: WORKSPACE,
    from: { key: prefix, inclusive: true },
    ...(before ? { before } : {}),
    limit: 100,
  })
}

async function cursorWalk(store: MetadataStore): Promise<Latency & { rowsPerSecond: number }> {
  const pages: number[] = []
  let cursor: string | undefined
  let rows = 0
  do {
    const started = performance.now()
    const page = await listFiles(store, { workspaceId: WORKSPACE, prefix: '', limit: 100, cursor })
    pages.push(performance.now() - started)
    rows += page.files.length
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  const total = pages.reduce((sum, ms) => sum + ms, 0)
  return { ...summarizeLatency(pages), rowsPerSecond: rows / (total / 1000) }
}
