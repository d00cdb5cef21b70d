/**
 * Where PostgreSQL tests run: GRANARY_TEST_DATABASE_URL (`npm test` starts a cluster and sets it).
 * Each store gets its own database, so tests never see each other's rows or migrations (the URL's
 * user needs the CREATEDB right).
 */
import pg from 'pg'
import type { KyselyMetadataStore } from '../../src/metadata/kysely-metadata-store.ts'
import {
  openPostgresStore,
  type PostgresStoreOptions,
} from '../../src/metadata/postgres/open-postgres-store.ts'

/** The database server tests use (guard the suite with `requires('postgres')`). */
export function testDatabaseUrl(): string {
  const url = process.env.GRANARY_TEST_DATABASE_URL
  if (!url) throw new Error('GRANARY_TEST_DATABASE_URL is not set: guard with requires("postgres")')
  return url
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
