import assert from 'node:assert/strict'
import { test } from 'node:test'
import SqliteDatabase from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import { reusableQuery } from './reusable-query.ts'
import type { Database } from './schema.ts'

function memoryDb(): Kysely<Database> {
  const database = new SqliteDatabase(':memory:')
  database.exec('create table workspaces (id text primary key, name text, created_at text)')
  database.exec(`insert into workspaces values ('ws_a', 'A', 't1'), ('ws_b', 'B', 't2')`)
  return new Kysely<Database>({ dialect: new SqliteDialect({ database }) })
}

const byIdAfter = reusableQuery((db, id: string, after: string, limit: number) =>
  db
    .selectFrom('workspaces')
    .select(['id', 'name'])
    .where((eb) => eb.or([eb('id', '=', id), eb('id', '>', after)]))
    .orderBy('id')
    .limit(limit),
)

test('a reusable query binds each call its own arguments, in their places', async () => {
  const db = memoryDb()
  try {
    assert.deepEqual(await byIdAfter(db, 'ws_a', 'ws_z', 10), [{ id: 'ws_a', name: 'A' }])
    assert.deepEqual(await byIdAfter(db, 'ws_b', 'ws_z', 10), [{ id: 'ws_b', name: 'B' }])
    assert.deepEqual(
      (await byIdAfter(db, 'none', '', 1)).map((row) => row.id),
      ['ws_a'],
    )
    assert.deepEqual(await byIdAfter(db, 'none', 'ws_b', 5), [])
  } finally {
    await db.destroy()
  }
})

test('a reusable query compiles for each database handle it runs on', async () => {
  const [one, two] = [memoryDb(), memoryDb()]
  try {
    await two.deleteFrom('workspaces').where('id', '=', 'ws_a').execute()
    assert.equal((await byIdAfter(one, 'ws_a', 'ws_z', 10)).length, 1)
    assert.equal((await byIdAfter(two, 'ws_a', 'ws_z', 10)).length, 0)
  } finally {
    await Promise.all([one.destroy(), two.destroy()])
  }
})
