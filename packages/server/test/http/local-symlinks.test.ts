/**
 * The local store never follows a symbolic link planted in the data folder (issue #11): a
 * download through it is refused with `storage_link_refused`, and a delete never unlinks the file
 * outside. Local backends only (S3 has no links).
 */
import assert from 'node:assert/strict'
import { mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { assertError, guardedFetch, guardedRequest } from '../support/http-assertions.ts'
import { startTestServer, type TestServer, uploadForm } from '../support/test-server.ts'

const OUTSIDE = 'OUTSIDE-THE-STORE-never-serve-these'
const WS = 'ws_default'

for (const backend of backendMatrix().filter((b) => !b.name.endsWith('+s3'))) {
  describe(`The local store never follows a symlink (${backend.name})`, () => {
    let server: TestServer
    let outside: string

    before(async () => {
      server = await startTestServer(backend)
      outside = await mkdtemp(join(tmpdir(), 'granary-outside-'))
    })
    after(async () => {
      await server.close()
      await rm(outside, { recursive: true, force: true })
    })

    /** Uploads `key`, then swaps its version folder for a link to a look-alike outside the store. */
    async function plantLink(name: string): Promise<string> {
      const uploaded = await uploadForm(server, { path: 'raw/', filename: name, content: 'mine' })
      assert.equal(uploaded.statusCode, 201, uploaded.body)
      const workspaceDir = join(server.dataDir, 'blobs', WS)
      for (const version of await readdir(workspaceDir)) {
        const names = await readdir(join(workspaceDir, version, 'raw')).catch((): string[] => [])
        if (!names.includes(name)) continue
        const copy = join(outside, version)
        await rename(join(workspaceDir, version), copy)
        await rm(join(copy, 'raw', name))
        await writeFile(join(copy, 'raw', name), OUTSIDE)
        await symlink(copy, join(workspaceDir, version))
        return join(copy, 'raw', name)
      }
      throw new Error(`no blob for ${name}`)
    }

    test('a download through a planted link → 403 storage_link_refused, no outside bytes', async () => {
      await plantLink('linked.txt')
      const link = await guardedRequest(server)({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: WS, key: 'raw/linked.txt' },
      })
      assert.equal(link.statusCode, 200, link.body)
      const response = await guardedFetch(server)(link.json().url)
      const error = assertError(response, 403, 'storage_link_refused')
      assert.match(error.message, /symbolic link/)
      assert.ok(!response.body.toString().includes(OUTSIDE))
    })

    test('a delete through a planted link leaves the file outside the store', async () => {
      const target = await plantLink('deleted.txt')
      const response = await guardedRequest(server)({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: WS, key: 'raw/deleted.txt' },
      })
      assert.ok(response.statusCode < 500, response.body)
      assert.equal(await readFile(target, 'utf8'), OUTSIDE)
    })
  })
}
