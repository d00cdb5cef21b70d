import { sql } from 'kysely'
import type { SqlDialect } from '../sql-dialect.ts'

/** SQLite: BINARY collation compares bytes; one writer at a time holds the whole database. */
const dialect: SqlDialect = {
  byteOrderedText: sql`text`,
  // WITHOUT ROWID keeps the rows in the primary key's B-tree, so a listing is one range scan.
  clustered: (table) => table.modifyEnd(sql`without rowid`),
  position: (text, needle) => sql<number>`instr(${text}, ${needle})`,
  char: (code) => sql<string>`char(${sql.lit(code)})`,
  locksRows: false,
  async createTrigger(db, t) {
    const when = t.when ? `when ${t.when}` : ''
    await sql
      .raw(`create trigger ${t.name} after ${t.event} on ${t.table} for each row ${when}
        begin ${t.body} end`)
      .execute(db)
  },
  counterShard: '0',
  migrationSchema: async () => undefined,
  // AUTOINCREMENT: a purged highest seq is never handed out again (a cursor past it stays valid).
  serialKey: (table, column) =>
    table.addColumn(column, 'integer', (c) => c.primaryKey().autoIncrement()),
  // One writer at a time already holds the whole database until it commits.
  lockEventLog: async () => {},
}

export const sqliteDialect = Object.freeze(dialect)
