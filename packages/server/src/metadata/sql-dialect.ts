/**
 * What differs between Granary's SQL on SQLite and on PostgreSQL. Each database's folder supplies
 * one (`sqlite/sqlite-dialect.ts`, `postgres/postgres-dialect.ts`), so the shared store, queries
 * and migrations never ask which database they run on.
 */
import type { CreateTableBuilder, Expression, Kysely, RawBuilder, Transaction } from 'kysely'

export interface SqlDialect {
  /** A text column type that compares byte-wise (UTF-8 order) whatever the database's locale. */
  readonly byteOrderedText: RawBuilder<unknown>
  /** Stores a table in primary-key order where the database lets us choose (range scans). */
  clustered<T extends string, C extends string>(
    table: CreateTableBuilder<T, C>,
  ): CreateTableBuilder<T, C>
  /** The 1-based position of `needle` in `text`; 0 when absent. */
  position(text: Expression<unknown>, needle: Expression<unknown>): RawBuilder<number>
  /** The one-character string of a code point. */
  char(code: number): RawBuilder<string>
  /**
   * True when concurrent writers of one key must lock its row (`for update`); false where a
   * write transaction already holds the whole database.
   */
  readonly locksRows: boolean
  /**
   * Creates a row trigger that runs `trigger.body` after each insert, update or delete; where
   * writers run concurrently (PostgreSQL) it runs at commit, after every other lock is taken.
   */
  createTrigger(db: Kysely<unknown>, trigger: TriggerSpec): Promise<void>
  /**
   * SQL naming the counter row a writer adds to (a small integer): the connection's, where
   * writers run concurrently, so they never wait on each other's counter; 0 where one writes.
   */
  readonly counterShard: string
  /** The schema Kysely's Migrator keeps its own tables in; undefined for the default. */
  migrationSchema<DB>(db: Kysely<DB>): Promise<string | undefined>
  /** An integer primary key the database assigns, growing with every insert, never reused. */
  serialKey<T extends string, C extends string, K extends string>(
    table: CreateTableBuilder<T, C>,
    column: K,
  ): CreateTableBuilder<T, C | K>
  /**
   * Makes transactions that append to the audit log commit one at a time from their append on,
   * so its `seq` order is its commit order (a reader's cursor never skips an event committed
   * late). Called last in a transaction, it holds the lock only until the commit.
   */
  lockEventLog<DB>(trx: Transaction<DB>): Promise<void>
}

/** A row trigger, written in the SQL both databases share (NEW / OLD, plain statements). */
export interface TriggerSpec {
  readonly name: string
  readonly table: string
  readonly event: 'insert' | 'update' | 'delete'
  /** Runs only when this holds, e.g. `OLD.size <> NEW.size`. */
  readonly when?: string
  /** Statements, each ending with `;`. */
  readonly body: string
}
