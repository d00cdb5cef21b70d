/**
 * Issue #11, point 3: a delete answers 2xx only when the bytes are gone or their deletion is
 * queued in the delete's own transaction and retried within seconds. While the store refuses
 * (S3 down behind a proxy we stop; a read-only blob folder locally), the file is gone from the
 * listing, its links answer 404 wherever Granary serves them, and once the store is back the
 * retry removes the bytes, so links S3 serves itself stop working too.
 */
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { chmod } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { backendMatrix } from '../support/backends.ts'
import { assertError } from '../support/http-assertions.ts'
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts'
import {
  startTestServer,
  type TestServer,
  uploadForm,
  withoutHistory,
} from '../support/test-server.ts'

/**
 * Makes a folder refuse unlinks: `chattr +i` for root (who ignores permissions), read-only
 * permissions for anyone else. Answers the undo.
 */
async function freezeFolder(dir: string): Promise<() => Promise<void>> {
  if (process.getuid?.() !== 0) {
    await chmod(dir, 0o555)
    return () => chmod(dir, 0o755)
  }
  const frozen = spawnSync('chattr', ['+i', dir])
  assert.equal(frozen.status, 0, `chattr +i failed: ${frozen.stderr}`)
  return async () => {
    spawnSync('chattr', ['-i', dir])
  }
}

for (const backend of backendMatrix()) {
  const isS3 = backend.name.endsWith('+s3')
  describe(`delete while the store refuses (${backend.name})`, () => {
    let server: TestServer
    let proxy: TcpProxy | undefined
    before(async () => {
      proxy = isS3 ? await startTcpProxy(backend.env.GRANARY_S3_ENDPOINT ?? '') : undefined
      server = await startTestServer(backend, proxy ? { GRANARY_S3_ENDPOINT: proxy.url } : {})
      // Deleting at once (trash_days 0); the trash keeps bytes on purpose (lifecycle.test.ts).
      await withoutHistory(server)
    })
    after(async () => {
      await proxy?.up()
      await server.close()
      await proxy?.close()
    })

    /** Takes the store down (S3) or makes the blob's folder read-only (local); answers the undo. */
    const breakStore = async (blobName: string): Promise<() => Promise<void>> => {
      if (proxy) {
        await proxy.down()
        return () => (proxy as TcpProxy).up()
      }
      return freezeFolder(dirname(join(server.dataDir, 'blobs', blobName)))
    }
    const downloadLink = async (key: string) => {
      const response = await server.request({
        method: 'GET',
        url: '/v1/files/download',
        query: { workspace_id: 'ws_default', key },
      })
      assert.equal(response.statusCode, 200, response.body)
      return response.json().url as string
    }

    test('204 with the deletion queued; links 404; the bytes go once the store is back', async () => {
      const uploaded = await uploadForm(server, { filename: 'doomed.txt', content: 'secret' })
      assert.equal(uploaded.statusCode, 201, uploaded.body)
      const { metadata, blobs, deletions } = server.server.services
      const blobName = (await metadata.getFile('ws_default', 'doomed.txt'))?.blobName ?? ''
      const link = await downloadLink('doomed.txt')
      assert.equal((await server.fetchSigned(link)).body.toString(), 'secret')

      const restore = await breakStore(blobName)
      try {
        const deleted = await server.request({
          method: 'DELETE',
          url: '/v1/files',
          query: { workspace_id: 'ws_default', key: 'doomed.txt' },
        })
        assert.equal(deleted.statusCode, 204, deleted.body)
        assert.equal(await metadata.isDeletionPending(blobName), true, 'the deletion is queued')
        if (!isS3) {
          // The bytes are still on the read-only disk, but Granary no longer serves them.
          assert.ok(await blobs.stat(blobName), 'the store refused the delete')
          assertError(await server.fetchSigned(link), 404, 'file_not_found', 'old link')
        }
        const again = await server.request({
          method: 'GET',
          url: '/v1/files/download',
          query: { workspace_id: 'ws_default', key: 'doomed.txt' },
        })
        assertError(again, 404, 'file_not_found')
        assert.equal((await deletions.retryAll()).deletedBlobs, 0, 'still refused')
      } finally {
        await restore()
      }

      const retried = await deletions.retryAll()
      assert.equal(retried.deletedBlobs, 1)
      assert.equal(await blobs.stat(blobName), undefined, 'the bytes are gone')
      assert.equal(await metadata.isDeletionPending(blobName), false)
      const old = await server.fetchSigned(link)
      assert.equal(old.status, 404, `a link of the deleted file answered ${old.status}`)
    })

    test('with the store up, the bytes go before the 204 and nothing stays queued', async () => {
      await uploadForm(server, { filename: 'plain.txt', content: 'x' })
      const { metadata, blobs } = server.server.services
      const blobName = (await metadata.getFile('ws_default', 'plain.txt'))?.blobName ?? ''
      const deleted = await server.request({
        method: 'DELETE',
        url: '/v1/files',
        query: { workspace_id: 'ws_default', key: 'plain.txt' },
      })
      assert.equal(deleted.statusCode, 204)
      assert.equal(await blobs.stat(blobName), undefined)
      assert.equal(await metadata.isDeletionPending(blobName), false)
    })
  })
}
