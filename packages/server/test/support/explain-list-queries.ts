/**
 * Prints the plans and median timings of the list queries on SQLite and PostgreSQL over
 * 1,000,000 files in one workspace (plus 10,000 in another), for docs/list-query-plans.md:
 *
 *   node --import tsx packages/server/test/support/explain-list-queries.ts [files]
 *
 * The queries are the ones the store really sends: they are captured from Kysely's log while the
 * domain's listFiles() answers a prefix page, a folder-view page and a cursor page. PostgreSQL
 * is GRANARY_TEST_DATABASE_URL or a throwaway cluster. Versions and trash are present (issue 14):
 * one older version per file and a trashed file per ten, in their own tables.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import pg from 'pg'
import { type ListQuery, listFiles } from '../../src/domain/listing.ts'
import { KyselyMetadataStore } from '../../src/metadata/kysely-metadata-store.ts'
import { postgresDialect } from '../../src/metadata/postgres/postgres-dialect.ts'
import type { Database } from '../../src/metadata/schema.ts'
import type { SqlDialect } from '../../src/metadata/sql-dialect.ts'
import { sqliteDialect } from '../../src/metadata/sqlite/sqlite-dialect.ts'
import { type PostgresCluster, startPostgresCluster } from './postgres-cluster.ts'
import { withDatabase } from './postgres-test-env.ts'

const FILES = Number(process.argv[2] ?? 1_000_000)
const ROUNDS = 25

/** 1000 folders of FILES/1000 files: results/batch-0000/sample-00000.bam ... */
const PAGES: Array<[string, ListQuery]> = [
  ['prefix listing', { workspaceId: 'ws_big', prefix: 'results/batch-0500/', limit: 100 }],
  ['folder view', { workspaceId: 'ws_big', prefix: 'results/', limit: 100, delimiter: '/' }],
  ['cursor page', { workspaceId: 'ws_big', prefix: 'results/batch-0500/', limit: 100 }],
]

interface Captured {
  sql: string
  parameters: readonly unknown[]
}

function store(dialect: SqlDialect, kyselyDialect: SqliteDialect | PostgresDialect) {
  const captured: Captured[] = []
  const db = new Kysely<Database>({
    dialect: kyselyDialect,
    log: (event) => {
      if (event.level === 'query' && event.query.sql.startsWith('select * from "files"'))
        captured.push({ sql: event.query.sql, parameters: event.query.parameters })
    },
  })
  const metadata = new KyselyMetadataStore({
    db,
    dialect,
    translateError: (e) => e,
    isUniqueViolation: () => false,
  })
  return { metadata, captured }
}

interface Page {
  name: string
  /** The queries the page sent; only the first two (a seek and a skip-seek) are explained. */
  queries: Captured[]
  /** Median time of the whole listFiles() call, every query included. */
  medianMs: number
}

/** The queries one page sends; the cursor page first lists page 1 for its cursor. */
async function pagesOf(made: ReturnType<typeof store>): Promise<Page[]> {
  const out: Page[] = []
  for (const [name, query] of PAGES) {
    let q = query
    if (name === 'cursor page') {
      const first = await listFiles(made.metadata, query)
      q = { ...query, cursor: first.nextCursor ?? undefined }
    }
    made.captured.length = 0
    const page = await listFiles(made.metadata, q)
    const queries = [...made.captured]
    const times: number[] = []
    for (let i = 0; i < ROUNDS; i++) {
      const t = performance.now()
      await listFiles(made.metadata, q)
      times.push(performance.now() - t)
    }
    const folders = page.folders ? `, ${page.folders.length} folders` : ''
    out.push({
      name: `${name}: ${page.files.length} files${folders}, ${queries.length} queries`,
      queries: queries.slice(0, 2),
      medianMs: median(times),
    })
  }
  return out
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const FILE_COLUMNS =
  'workspace_id, key, id, size, content_type, description, sha256, blob_name, created_at, updated_at'
const SEED_SQL = (n: number) => `
insert into workspaces (id, name, created_at) values ('ws_big', 'Big', '2026-01-01T00:00:00.000Z'),
  ('ws_other', 'Other', '2026-01-01T00:00:00.000Z');
insert into file_versions select 'v_' || i, 'file_' || i, 'ws_big', 900, 'application/octet-stream',
  repeat('b', 64), 'ws_big/old' || i, '2025-12-31T00:00:00.000Z' from generate_series(0, ${n - 1}) as i;
insert into trash select 'tr_' || i, 'grp_' || (i / 100), 'ws_big',
  'results/batch-' || lpad((i / ${n / 10000})::text, 4, '0') || '/gone-' || i || '.bam', 'file_t' || i,
  null, 7, 'application/octet-stream', null, repeat('c', 64), 'ws_big/t' || i,
  '2025-12-30T00:00:00.000Z', '2025-12-30T00:00:00.000Z', '2026-01-01T00:00:00.000Z',
  '2026-01-08T00:00:00.000Z' from generate_series(0, ${n / 10 - 1}) as i;
insert into files (${FILE_COLUMNS}) select 'ws_big',
  'results/batch-' || lpad((i / ${n / 1000})::text, 4, '0') || '/sample-' || lpad((i % ${n / 1000})::text, 5, '0') || '.bam',
  'file_' || i, 1000 + i, 'application/octet-stream', null, repeat('a', 64),
  'ws_big/v' || i, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'
  from generate_series(0, ${n - 1}) as i;
insert into files (${FILE_COLUMNS}) select 'ws_other', 'results/batch-0500/x-' || i, 'file_o' || i, 1,
  'text/plain', null, repeat('a', 64), 'ws_other/v' || i, '2026-01-01T00:00:00.000Z',
  '2026-01-01T00:00:00.000Z' from generate_series(1, 10000) as i;
analyze files; analyze file_versions; analyze trash;`

async function explainPostgres(serverUrl: string): Promise<void> {
  const database = `granary_explain_${Date.now().toString(36)}`
  await adminQuery(serverUrl, `create database ${database}`)
  try {
    await explainPostgresIn(withDatabase(serverUrl, database))
  } finally {
    await adminQuery(serverUrl, `drop database ${database} with (force)`)
  }
}

async function adminQuery(url: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(statement).finally(() => client.end())
}

async function explainPostgresIn(url: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: url, max: 1 })
  const made = store(postgresDialect, new PostgresDialect({ pool }))
  await made.metadata.migrate()
  let t = performance.now()
  await pool.query(SEED_SQL(FILES))
  console.log(`## PostgreSQL (seeded ${FILES} files in ${Math.round(performance.now() - t)} ms)\n`)
  for (const page of await pagesOf(made)) {
    console.log(`### ${page.name}; the whole page: median ${page.medianMs.toFixed(2)} ms\n`)
    for (const q of page.queries) {
      const plan = await pool.query(`explain (analyze, buffers, costs off) ${q.sql}`, [
        ...q.parameters,
      ])
      const times: number[] = []
      for (let i = 0; i < ROUNDS; i++) {
        t = performance.now()
        await pool.query(q.sql, [...q.parameters])
        times.push(performance.now() - t)
      }
      const lines = plan.rows.map((r: Record<string, string>) => r['QUERY PLAN'])
      const ms = median(times).toFixed(3)
      console.log(`${q.sql}\n-- ${JSON.stringify(q.parameters)}\n-- median ${ms} ms`)
      console.log(`${lines.join('\n')}\n`)
    }
  }
  await made.metadata.close()
}

async function explainSqlite(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'granary-explain-'))
  const database = new SqliteDatabase(join(dir, 'granary.sqlite'))
  database.pragma('journal_mode = WAL')
  const made = store(sqliteDialect, new SqliteDialect({ database }))
  await made.metadata.migrate()
  let t = performance.now()
  seedSqlite(database)
  console.log(`## SQLite (seeded ${FILES} files in ${Math.round(performance.now() - t)} ms)\n`)
  for (const page of await pagesOf(made)) {
    console.log(`### ${page.name}; the whole page: median ${page.medianMs.toFixed(2)} ms\n`)
    for (const q of page.queries) {
      const plan = database.prepare(`explain query plan ${q.sql}`).all(...q.parameters)
      const statement = database.prepare(q.sql)
      const times: number[] = []
      for (let i = 0; i < ROUNDS; i++) {
        t = performance.now()
        statement.all(...q.parameters)
        times.push(performance.now() - t)
      }
      const ms = median(times).toFixed(3)
      console.log(`${q.sql}\n-- ${JSON.stringify(q.parameters)}\n-- median ${ms} ms`)
      for (const row of plan as Array<{ detail: string }>) console.log(row.detail)
      console.log('')
    }
  }
  await made.metadata.close()
  await rm(dir, { recursive: true, force: true })
}

function seedSqlite(database: SqliteDatabase.Database): void {
  const at = '2026-01-01T00:00:00.000Z'
  const per = FILES / 1000
  const insert = database.prepare(
    `insert into files (${FILE_COLUMNS}) values (?, ?, ?, ?, 'application/octet-stream', null, ?, ?, '${at}', '${at}')`,
  )
  const version = database.prepare(
    `insert into file_versions values (?, ?, 'ws_big', 900, 'application/octet-stream', ?, ?, '${at}')`,
  )
  const trashed = database.prepare(
    `insert into trash values (?, ?, 'ws_big', ?, ?, null, 7, 'application/octet-stream', null, ?, ?, '${at}', '${at}', '${at}', '${at}')`,
  )
  const sha = 'a'.repeat(64)
  database.transaction(() => {
    const workspace = database.prepare(
      'insert into workspaces (id, name, created_at) values (?, ?, ?)',
    )
    workspace.run('ws_big', 'Big', at)
    workspace.run('ws_other', 'Other', at)
    for (let i = 0; i < FILES; i++) {
      const folder = String(Math.floor(i / per)).padStart(4, '0')
      const key = `results/batch-${folder}/sample-${String(i % per).padStart(5, '0')}.bam`
      insert.run('ws_big', key, `file_${i}`, 1000 + i, sha, `ws_big/v${i}`)
      version.run(`v_${i}`, `file_${i}`, 'b'.repeat(64), `ws_big/old${i}`)
      if (i % 10 === 0) {
        const gone = `results/batch-${folder}/gone-${i}.bam`
        trashed.run(
          `tr_${i}`,
          `grp_${i % 1000}`,
          gone,
          `file_t${i}`,
          'c'.repeat(64),
          `ws_big/t${i}`,
        )
      }
    }
    for (let i = 1; i <= 10_000; i++) {
      insert.run('ws_other', `results/batch-0500/x-${i}`, `file_o${i}`, 1, sha, `ws_other/v${i}`)
    }
  })()
  database.exec('analyze')
}

let cluster: PostgresCluster | undefined
try {
  await explainSqlite()
  let url = process.env.GRANARY_TEST_DATABASE_URL
  if (!url) {
    cluster = await startPostgresCluster()
    console.log(`(PostgreSQL test cluster started in ${cluster.startupMs} ms)\n`)
    url = cluster.url
  }
  await explainPostgres(url)
} finally {
  await cluster?.stop()
}
