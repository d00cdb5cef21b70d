/**
 * Where PostgreSQL tests run: GRANARY_TEST_DATABASE_URL when set, else one throwaway cluster per
 * test process (started on first use). Each store gets its own database, so tests never see each
 * other's rows or migrations (the URL's user needs the CREATEDB right).
 */
import { test } from 'node:test'
import pg from 'pg'
import type { KyselyMetadataStore } from '../../src/metadata/kysely-metadata-store.ts'
import {
  openPostgresStore,
  type PostgresStoreOptions,
} from '../../src/metadata/postgres/open-postgres-store.ts'
import {
  findPostgresBinaries,
  type PostgresCluster,
  startPostgresCluster,
} from './postgres-cluster.ts'

const SKIP =
  'no PostgreSQL: GRANARY_TEST_DATABASE_URL is not set and initdb/pg_ctl are not installed'

/**
 * Options for `describe`: skip loudly without PostgreSQL, but in CI (CI set) a missing database
 * is a failing test, never a silent skip.
 */
export function whenPostgresAvailable(): { skip?: string } {
  if (process.env.GRANARY_TEST_DATABASE_URL || findPostgresBinaries()) return {}
  if (process.env.CI) {
    test('PostgreSQL is available (required in CI)', () => {
      throw new Error(`${SKIP}; CI must install the PostgreSQL server or set the URL`)
    })
    return { skip: SKIP }
  }
  const bar = '!'.repeat(78)
  console.error(
    `\n${bar}\n!! SKIPPING the PostgreSQL tests: ${SKIP}.\n!! Install postgresql (apt-get install postgresql) or set GRANARY_TEST_DATABASE_URL=postgres://...\n${bar}\n`,
  )
  return { skip: SKIP }
}

let shared: Promise<PostgresCluster> | undefined

/** The database tests use; starts this process's cluster on first call. */
export async function testDatabaseUrl(): Promise<string> {
  const url = process.env.GRANARY_TEST_DATABASE_URL
  if (url) return url
  shared ??= startPostgresCluster()
  return (await shared).url
}

/** Stops the cluster testDatabaseUrl() started, if any (call from a top-level `after`). */
export async function stopSharedCluster(): Promise<void> {
  const cluster = shared
  shared = undefined
  if (cluster) await (await cluster).stop()
}

/** `url` naming another database on the same server. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${database}`
  return parsed.toString()
}

export interface PostgresStoreFixture {
  store: KyselyMetadataStore
  /** The store's own database. */
  url: string
  teardown(): Promise<void>
}

export interface TestDatabase {
  /** The new database's URL. */
  readonly url: string
  /** Drops it, closing whatever connections are left. */
  drop(): Promise<void>
}

/** A new, empty database on `url`'s server, e.g. one per test server so none sees another's rows. */
export async function createTestDatabase(url: string): Promise<TestDatabase> {
  const database = `granary_test_${Math.random().toString(36).slice(2, 10)}`
  await admin(url, `create database ${database}`)
  return {
    url: withDatabase(url, database),
    drop: () => admin(url, `drop database if exists ${database} with (force)`),
  }
}

/** A migrated store in a new, empty database of `url`'s server; teardown drops it. */
export async function freshPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStoreFixture> {
  const database = await createTestDatabase(url)
  const store = await openPostgresStore(database.url, options)
  return {
    store,
    url: database.url,
    teardown: async () => {
      await store.close()
      await database.drop()
    },
  }
}

async function admin(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}
