import { sql } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/** PostgreSQL: the "C" collation compares bytes; writers of one key queue on its row lock. */
const dialect: SqlDialect = {
  byteOrderedText: sql`text collate "C"`,
  // The primary key's index already serves range scans; heap order is not ours to choose.
  clustered: (table) => table,
  position: (text, needle) => sql<number>`strpos(${text}, ${needle})`,
  char: (code) => sql<string>`chr(${sql.lit(code)})`,
  locksRows: true,
  counterShard: 'pg_backend_pid() % 64',
  /**
   * A trigger function per trigger. `set search_path from current` pins the tables it names to
   * the schema the migration ran in, whatever the writing session's search_path.
   */
  async createTrigger(db, t) {
    await sql
      .raw(`create function ${t.name}() returns trigger language plpgsql
        set search_path from current
        as $$ begin ${t.body} return null; end $$`)
      .execute(db)
    // Deferred to the commit: a counter row many writers share is then the last lock each
    // transaction takes, so it never sits in a cycle with row locks taken later (deadlocks).
    const when = t.when ? `when (${t.when})` : ''
    await sql
      .raw(`create constraint trigger ${t.name} after ${t.event} on ${t.table}
        deferrable initially deferred for each row ${when}
        execute function ${t.name}()`)
      .execute(db)
  },
  /**
   * Kysely's Migrator looks for its tables in every schema unless told one: another Kysely app's
   * tables in another schema of the database would make it skip creating ours.
   */
  async migrationSchema(db) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db)
    return rows[0]?.schema
  },
  serialKey: (table, column) =>
    table.addColumn(column, 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity()),
  /**
   * Identity values are taken at insert, not at commit: without this, an event with a smaller
   * seq could commit after a reader moved past a larger one. A transaction-scoped advisory lock
   * queues the appenders from their append to their commit.
   */
  async lockEventLog(trx) {
    await sql`select pg_advisory_xact_lock(${EVENT_LOG_LOCK})`.execute(trx)
  },
}

/** Any constant of our own; it names the audit log's append lock. */
const EVENT_LOG_LOCK = 0x6772616e

export const postgresDialect = Object.freeze(dialect)
