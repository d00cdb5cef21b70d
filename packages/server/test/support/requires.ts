/**
 * What a test needs from the machine, said once: `describe('...', requires('s3'), () => ...)`.
 * A missing service skips the suite loudly (one banner per service and process); with CI set it
 * is a failing test instead, never a silent skip. Imports no server code, so e2e uses it too.
 */
import { spawnSync } from 'node:child_process'
import { test } from 'node:test'
import { findPostgresBinaries } from './postgres-cluster.ts'

export type Service = 'postgres' | 'postgres-server' | 's3' | 'htslib'

type Env = Readonly<Record<string, string | undefined>>

interface Probe {
  present(env: Env): boolean
  /** What is missing. */
  missing: string
  /** How to provide it. */
  fix: string
}

const probes: Record<Service, Probe> = {
  postgres: {
    present: (env) => Boolean(env.GRANARY_TEST_DATABASE_URL),
    missing: 'no PostgreSQL: GRANARY_TEST_DATABASE_URL is not set',
    fix: 'run the file through `npm test -- <file>` (it starts a cluster) or set GRANARY_TEST_DATABASE_URL=postgres://...',
  },
  'postgres-server': {
    present: () => findPostgresBinaries() !== undefined,
    missing: 'no PostgreSQL server binaries (initdb, pg_ctl) to run a cluster the test can stop',
    fix: 'install postgresql (apt-get install postgresql)',
  },
  s3: {
    present: (env) => Boolean(env.GRANARY_TEST_S3_ENDPOINT),
    missing: 'no S3 test server: GRANARY_TEST_S3_ENDPOINT is not set',
    fix: 'run the file through `npm test -- <file>` or scripts/s3-test-server.sh start /tmp/granary-s3 && source /tmp/granary-s3/env',
  },
  htslib: {
    present: () =>
      ['samtools', 'bcftools', 'tabix', 'bgzip'].every(
        (tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0,
      ),
    missing: 'no htslib tools (samtools, bcftools, tabix, bgzip) to make and read genomics files',
    fix: 'install them (apt-get install samtools bcftools tabix)',
  },
}

/** True when the service is there; says nothing either way. */
export function has(service: Service, env: Env = process.env): boolean {
  return probes[service].present(env)
}

/**
 * Options for `describe`/`test`: `{}` when every service is there, else `{ skip }` after saying
 * loudly what is missing (or, in CI, registering a test that fails with it).
 */
export function requires(...services: Service[]): { skip?: string } {
  const missing = services.filter((service) => !has(service))
  for (const service of missing) report(service)
  return missing.length === 0 ? {} : { skip: missing.map((s) => probes[s].missing).join('; ') }
}

const reported = new Set<Service>()

function report(service: Service): void {
  if (reported.has(service)) return
  reported.add(service)
  const { missing, fix } = probes[service]
  if (process.env.CI) {
    test(`${service} is available (required in CI)`, () => {
      throw new Error(`${missing}; CI must provide it: ${fix}`)
    })
    return
  }
  const bar = '!'.repeat(78)
  process.stderr.write(
    `\n${bar}\n!! SKIPPING what needs ${service}: ${missing}.\n!! ${fix}\n${bar}\n\n`,
  )
}
