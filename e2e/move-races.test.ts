/**
 * Issue #14, semantics: a move racing an upload to the same key, and a copy of a file being
 * replaced, have one clear winner and leave nothing half done: on SQLite (one process, requests
 * in parallel) and on PostgreSQL with two processes (every other request to the other one).
 * After each round, what the answers said is what the listing shows, and every listed file
 * downloads byte for byte with its listed SHA-256 (a copy's bytes are never freed by a replace).
 */
import assert from 'node:assert/strict'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { Granary } from '@granary/client'
import { requires } from '../packages/server/test/support/requires.ts'
import { freshDatabase } from './support/postgres-database.ts'
import { ADMIN_KEY, type ServerProcess, startServerProcess } from './support/server-process.ts'

const ROUNDS = 8
const sha = (text: string) => createHash('sha256').update(text).digest('hex')

interface Setup {
  name: string
  needs: 'postgres'[]
  processes: number
  env(): Promise<Record<string, string>>
}

const setups: Setup[] = [
  { name: 'SQLite, one process', needs: [], processes: 1, env: async () => ({}) },
  {
    name: 'PostgreSQL, two processes',
    needs: ['postgres'],
    processes: 2,
    env: async () => ({
      GRANARY_DATABASE_URL: await freshDatabase(process.env.GRANARY_TEST_DATABASE_URL ?? ''),
      GRANARY_SIGNING_SECRET: randomBytes(32).toString('hex'),
    }),
  },
]

for (const setup of setups)
  describe(`move and copy races: ${setup.name}`, requires(...setup.needs), () => {
    let shared: string
    let servers: ServerProcess[] = []
    let clients: Granary[] = []
    let turn = 0
    const next = () => {
      const i = turn++ % servers.length
      return { server: servers[i] as ServerProcess, client: clients[i] as Granary }
    }
    before(async () => {
      shared = await mkdtemp(join(tmpdir(), 'granary-e2e-races-'))
      const env = { ...(await setup.env()), GRANARY_DATA_DIR: shared }
      servers = await Promise.all(
        Array.from({ length: setup.processes }, () => startServerProcess(env)),
      )
      clients = servers.map(
        (server) =>
          new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY, workspaceId: 'ws_default' }),
      )
      // No history or trash where the server has them: a replaced or overwritten blob is freed
      // at once, which is what could take a copy's bytes with it.
      await fetch(`${servers[0]?.url}/v1/workspaces/ws_default`, {
        method: 'PATCH',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ trash_days: 0, keep_versions: 1 }),
      })
    })
    after(async () => {
      await Promise.all(servers.map((server) => server.stop()))
      await rm(shared, { recursive: true, force: true })
    })

    const post = async (op: 'move' | 'copy', body: Record<string, unknown>) => {
      const { server } = next()
      const response = await fetch(`${server.url}/v1/files/${op}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ workspace_id: 'ws_default', ...body }),
      })
      return { status: response.status, body: (await response.json()) as Record<string, unknown> }
    }
    const upload = (key: string, text: string) => {
      const slash = key.lastIndexOf('/')
      return next().client.files.upload(new Blob([text]), {
        path: key.slice(0, slash + 1),
        filename: key.slice(slash + 1),
      })
    }
    const listed = async (prefix: string) =>
      new Map(
        (await next().client.files.list({ prefix, limit: 1000 })).files.map((file) => [
          file.key,
          file,
        ]),
      )
    /** Every listed file's bytes match its listed SHA-256; answers the texts by key. */
    const downloadAll = async (prefix: string) => {
      const texts = new Map<string, string>()
      for (const [key, file] of await listed(prefix)) {
        const { url } = await next().client.files.downloadUrl(key)
        const response = await fetch(url)
        assert.equal(response.status, 200, `${key}: its bytes are gone`)
        const text = await response.text()
        assert.equal(sha(text), file.sha256, `${key}: bytes differ from the listed SHA-256`)
        texts.set(key, text)
      }
      return texts
    }

    test('a move racing an upload to the target: one winner, both answers true', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const [from, to] = [`mr${round}/from.txt`, `mr${round}/to.txt`]
        await upload(from, `moved ${round}`)
        const [move] = await Promise.all([
          post('move', { from, to }),
          upload(to, `uploaded ${round}`),
        ])
        const texts = await downloadAll(`mr${round}/`)
        // The upload replaces whatever is at `to` (the seed's upload overwrites), so it is there.
        assert.equal(texts.get(to), `uploaded ${round}`)
        if (move.status === 200) {
          assert.equal(texts.has(from), false, 'a move that answered 200 left its source')
        } else {
          assert.equal(move.status, 409, JSON.stringify(move.body))
          assert.equal(texts.get(from), `moved ${round}`, 'a refused move changed its source')
        }
      }
    })

    test('a move racing an upload to the source: the upload lands at one key, the move at the other', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const [from, to] = [`ms${round}/a.txt`, `ms${round}/b.txt`]
        await upload(from, `first ${round}`)
        const [move] = await Promise.all([
          post('move', { from, to }),
          upload(from, `second ${round}`),
        ])
        assert.equal(move.status, 200, JSON.stringify(move.body))
        const texts = await downloadAll(`ms${round}/`)
        // The move first (the upload then makes a new file at `from`), or the upload first (the
        // move then takes its content): nothing else.
        const state = JSON.stringify([texts.get(from) ?? null, texts.get(to) ?? null])
        const valid = [
          [`second ${round}`, `first ${round}`],
          [null, `second ${round}`],
        ].map((pair) => JSON.stringify(pair))
        assert.ok(valid.includes(state), `unexpected [from, to]: ${state}`)
      }
    })

    test('a copy of a file being replaced: the copy holds the old or the new bytes, whole', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const [src, dst] = [`cr${round}/src.txt`, `cr${round}/copy.txt`]
        await upload(src, `old ${round}`)
        const [copy] = await Promise.all([
          post('copy', { from: src, to: dst }),
          upload(src, `new ${round}`),
        ])
        assert.equal(copy.status, 200, JSON.stringify(copy.body))
        const texts = await downloadAll(`cr${round}/`)
        assert.equal(texts.get(src), `new ${round}`)
        assert.ok([`old ${round}`, `new ${round}`].includes(texts.get(dst) ?? ''), texts.get(dst))
        assert.equal(copy.body.sha256, sha(texts.get(dst) ?? ''))
      }
    })

    test('two moves of one file to two keys: exactly one wins', async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const src = `mm${round}/src.txt`
        const file = await upload(src, `only ${round}`)
        const answers = await Promise.all([
          post('move', { from: src, to: `mm${round}/one.txt` }),
          post('move', { from: src, to: `mm${round}/two.txt` }),
        ])
        assert.deepEqual(answers.map((answer) => answer.status).sort(), [200, 404])
        const texts = await downloadAll(`mm${round}/`)
        assert.equal(texts.size, 1)
        const [only] = await listed(`mm${round}/`)
        assert.equal(only?.[1].id, file.id)
      }
    })
  })
