/**
 * The listing's fair baseline: a minimal Fastify server running Granary's page queries against the
 * same SQLite file with better-sqlite3 (prepared statements, no query builder, no authentication,
 * no workspace check) and answering the same JSON. Run as a child process (PORT,
 * BENCH_DATA_DIR: the folder holding the seeded granary.sqlite). Opened read-only.
 */
import { join } from 'node:path'
import SqliteDatabase from 'better-sqlite3'
import Fastify from 'fastify'
import { prefixUpperBound } from '../../../packages/server/src/domain/keys.ts'
import { encodeCursor } from '../../../packages/server/src/domain/listing.ts'

interface Row {
  workspace_id: string
  key: string
  id: string
  size: number
  content_type: string
  description: string | null
  sha256: string | null
  created_at: string
  updated_at: string
}

const database = new SqliteDatabase(join(process.env.BENCH_DATA_DIR ?? '.', 'granary.sqlite'), {
  readonly: true,
})
const page = database.prepare<[string, string, string, number], Row>(
  'select * from files where workspace_id = ? and key >= ? and key < ? order by key limit ?',
)
// Granary's folder view (metadata/folder-entries.ts), with the prefix length bound the same way.
const folderKeys = database.prepare<
  [string, string, string, string, number, number, number, string, number],
  { k: string }
>(`
  with recursive w(k, n) as (
    select (select key from files where workspace_id = ? and key >= ? and key < ? order by key limit 1), 1
    union all
    select (select key from files where workspace_id = ?
              and key >= case when instr(substr(w.k, ? + 1), '/') > 0
                then substr(w.k, 1, ? + instr(substr(w.k, ? + 1), '/') - 1) || '0'
                else w.k || char(1) end
              and key < ? order by key limit 1), w.n + 1
    from w where w.k is not null and w.n < ?
  )
  select k from w where k is not null`)

const present = (row: Row) => ({
  id: row.id,
  workspace_id: row.workspace_id,
  key: row.key,
  name: row.key.slice(row.key.lastIndexOf('/') + 1),
  size: row.size,
  content_type: row.content_type,
  description: row.description,
  sha256: row.sha256,
  created_at: row.created_at,
  updated_at: row.updated_at,
})

const app = Fastify({ logger: false })
app.get('/healthz', async () => ({ status: 'ok' }))
app.get<{ Querystring: Record<string, string | undefined> }>('/v1/files', async (request) => {
  const workspace = request.query.workspace_id ?? ''
  const prefix = request.query.prefix ?? ''
  const limit = Number(request.query.limit ?? 100)
  const before = prefixUpperBound(prefix) ?? '\u{10FFFF}'
  if (request.query.delimiter !== '/') {
    const rows = page.all(workspace, prefix, before, limit + 1)
    const files = rows.slice(0, limit)
    const last = files.at(-1)
    const more = rows.length > limit && last
    return {
      files: files.map(present),
      next_cursor: more ? encodeCursor({ after: last.key, skipFolder: false }) : null,
    }
  }
  return folderView(workspace, prefix, before, limit)
})

function folderView(workspace: string, prefix: string, before: string, limit: number) {
  const length = Array.from(prefix).length
  const keys = folderKeys
    .all(workspace, prefix, before, workspace, length, length, length, before, limit + 1)
    .map((row) => row.k)
  const entries = keys.slice(0, limit).map((key) => {
    const slash = key.indexOf('/', prefix.length)
    return slash < 0
      ? { after: key, skipFolder: false }
      : { after: key.slice(0, slash + 1), skipFolder: true }
  })
  const fileKeys = entries.filter((entry) => !entry.skipFolder).map((entry) => entry.after)
  const files =
    fileKeys.length === 0
      ? []
      : database
          .prepare<string[], Row>(
            `select * from files where workspace_id = ? and key in (${fileKeys.map(() => '?').join(',')}) order by key`,
          )
          .all(workspace, ...fileKeys)
  const last = entries.at(-1)
  return {
    files: files.map(present),
    folders: entries.filter((entry) => entry.skipFolder).map((entry) => entry.after),
    next_cursor: keys.length > limit && last ? encodeCursor(last) : null,
  }
}

await app.listen({ port: Number(process.env.PORT), host: process.env.HOST ?? '127.0.0.1' })
process.once('SIGTERM', () => app.close().then(() => process.exit(0)))
