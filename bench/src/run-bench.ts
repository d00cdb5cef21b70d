/**
 * Runs the chosen parts with one set of servers, each in its own child process, and answers the
 * results. Every process it starts is stopped and every temp folder removed, also on failure.
 */
import { type ConcurrencyResult, compareConcurrency } from './parts/concurrency.ts'
import { compareDownloads, type DownloadResult } from './parts/download.ts'
import { type ListingResult, measureListing } from './parts/listing.ts'
import { type MemoryResult, measureMemory } from './parts/memory.ts'
import { compareMultipart, type MultipartResult } from './parts/multipart.ts'
import { compareUploads } from './parts/upload.ts'
import { ChildServer, stopAll } from './support/child-server.ts'
import { describeMachine, type Machine } from './support/machine.ts'
import type { Comparison } from './support/measure.ts'
import {
  FASTIFY,
  GRANARY,
  granarySpec,
  LIMIT,
  largeUploads,
  peerSpecs,
  TUS,
  uploads,
} from './support/peers.ts'
import type { PartName, Profile } from './support/profiles.ts'

export interface BenchOptions {
  readonly profile: Profile
  readonly parts: readonly PartName[]
  /** Where Granary writes --cpu-prof profiles, if anywhere. */
  readonly cpuProfDir?: string
  readonly log?: (line: string) => void
}

export interface BenchResult {
  readonly date: string
  readonly mode: Profile['mode']
  readonly profile: Profile
  readonly machine: Machine
  readonly parts: readonly PartName[]
  readonly seconds: number
  readonly upload?: Comparison
  readonly largeFile?: Comparison
  readonly multipart?: MultipartResult
  readonly download?: DownloadResult
  readonly listing?: ListingResult
  readonly memory?: MemoryResult
  readonly concurrency?: ConcurrencyResult
}

type Servers = Record<string, ChildServer>

export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const started = performance.now()
  const log = options.log ?? (() => {})
  const nodeFlags = options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []
  const servers = await startServers(serversFor(options.parts), nodeFlags)
  try {
    const results = await runParts(
      { profile: options.profile, servers, log, nodeFlags },
      options.parts,
    )
    return {
      date: new Date().toISOString(),
      mode: options.profile.mode,
      profile: options.profile,
      machine: describeMachine(),
      parts: options.parts,
      seconds: (performance.now() - started) / 1000,
      ...results,
    }
  } finally {
    await Promise.all(Object.values(servers).map((server) => server.stop()))
    // Servers some parts start themselves, and the compiled bundles.
    await stopAll()
  }
}

function serversFor(parts: readonly PartName[]): string[] {
  const needed = new Set<string>()
  const transfers = parts.filter((part) => part !== 'listing')
  if (transfers.length > 0) needed.add(GRANARY)
  if (transfers.some((part) => part !== 'memory')) needed.add(LIMIT)
  if (parts.includes('upload')) {
    needed.add(TUS)
    needed.add(FASTIFY)
  }
  return [...needed]
}

async function startServers(names: string[], nodeFlags: string[]): Promise<Servers> {
  const servers: Servers = {}
  try {
    for (const name of names) {
      const spec = name === GRANARY ? granarySpec(nodeFlags) : peerSpecs[name]
      if (spec) servers[name] = await ChildServer.start(spec)
    }
  } catch (error) {
    await Promise.all(Object.values(servers).map((server) => server.stop()))
    throw error
  }
  return servers
}

interface Context {
  readonly profile: Profile
  readonly servers: Servers
  readonly log: (line: string) => void
  readonly nodeFlags: readonly string[]
}

type PartResults = Omit<Partial<BenchResult>, 'parts'>

const runners: Readonly<Record<PartName, (context: Context) => Promise<PartResults>>> = {
  async upload({ profile, servers, log }) {
    const run = { servers, uploads, size: profile.transferBytes, rounds: profile.rounds, log }
    return { upload: await compareUploads(run) }
  },
  async 'large-file'({ profile, servers, log }) {
    const run = {
      servers,
      uploads: largeUploads,
      size: profile.transferBytes,
      rounds: profile.rounds,
      log,
    }
    return { largeFile: await compareUploads(run) }
  },
  async multipart({ profile, servers, log }) {
    const run = {
      servers,
      size: profile.transferBytes,
      partSize: profile.partBytes,
      parallel: profile.partsInFlight,
      rounds: profile.rounds,
      log,
    }
    return { multipart: await compareMultipart(run) }
  },
  async download({ profile, servers, log }) {
    const granary = servers[GRANARY] as ChildServer
    const limit = servers[LIMIT] as ChildServer
    const { transferBytes: size, rangeReads, rounds } = profile
    return { download: await compareDownloads({ granary, limit, size, rangeReads, rounds, log }) }
  },
  async listing({ profile, log, nodeFlags }) {
    return { listing: await measureListing(profile, log, nodeFlags) }
  },
  async memory({ profile, servers, log }) {
    const granary = servers[GRANARY] as ChildServer
    return { memory: await measureMemory(granary, profile.memorySizes, log) }
  },
  async concurrency({ profile, servers, log }) {
    const { concurrentClients: clients, concurrentBytes: size, rounds } = profile
    return { concurrency: await compareConcurrency({ servers, clients, size, rounds, log }) }
  },
}

async function runParts(context: Context, parts: readonly PartName[]): Promise<PartResults> {
  let results: PartResults = {}
  for (const part of parts) {
    context.log(`${part}:`)
    results = { ...results, ...(await runners[part](context)) }
  }
  return results
}
