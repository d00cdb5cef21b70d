import pg from 'pg'

/** A new empty database on the test PostgreSQL server, for one test's Granary processes. */
export async function freshDatabase(url: string): Promise<string> {
  const name = `granary_e2e_${Math.random().toString(36).slice(2, 10)}`
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  await client.query(`create database ${name}`)
  await client.end()
  const own = new URL(url)
  own.pathname = `/${name}`
  return own.toString()
}
