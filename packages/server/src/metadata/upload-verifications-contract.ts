/**
 * The background-verification part of the MetadataStore contract (migration 0008), run by each
 * dialect's test file: an upload is marked verifying once, claimed by one process at a time
 * until its claim lapses, shows its progress, and fails with the reason recorded.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { randomId } from '../domain/ids.ts'
import type { MetadataStore } from '../domain/ports.ts'
import { type MetadataStoreFixture, uploadRecord } from './metadata-store-contract.ts'

const at = (ms: number) => new Date(ms).toISOString()

export function describeUploadVerifications(
  name: string,
  make: () => Promise<MetadataStoreFixture>,
): void {
  describe(`MetadataStore contract, background verification: ${name}`, () => {
    let fixture: MetadataStoreFixture
    let store: MetadataStore
    const ws = `ws_${randomId(8)}`
    before(async () => {
      fixture = await make()
      store = fixture.store
      await store.createWorkspace({ id: ws, name: 'Verify', createdAt: at(Date.now()) })
    })
    after(() => fixture.teardown())

    test('an open upload is marked verifying once, with the SHA-256 the confirm declared', async () => {
      const upload = uploadRecord(ws, 'v/a.bin')
      await store.createUpload(upload)
      assert.equal(await store.markUploadVerifying(upload.id, 'ab'.repeat(32)), true)
      assert.equal(await store.markUploadVerifying(upload.id, null), false)
      const got = await store.getUpload(upload.id)
      assert.equal(got?.status, 'verifying')
      assert.equal(got?.sha256, 'ab'.repeat(32))
      assert.equal(got?.verifiedBytes, 0)
      // Its blob stays referenced (the orphan sweep keeps it) and a confirm without id finds it.
      assert.equal(await store.isBlobReferenced(upload.blobName), true)
      assert.deepEqual(
        (await store.listOpenUploads(ws, 'v/a.bin')).map((u) => u.id),
        [upload.id],
      )
    })

    test('one process holds a claim until it lapses; progress extends it', async () => {
      const upload = uploadRecord(ws, 'v/b.bin')
      await store.createUpload(upload)
      await store.markUploadVerifying(upload.id, null)
      const t0 = Date.now() + 3600_000 * 24 * 365 // after the other tests' uploads' claims
      // Other verifying uploads of this store may be claimed first: take them all.
      const claimed: string[] = []
      for (let next = await store.claimVerification(at(t0), at(t0 + 60_000)); next; ) {
        claimed.push(next.id)
        next = await store.claimVerification(at(t0), at(t0 + 60_000))
      }
      assert.ok(claimed.includes(upload.id))
      assert.equal(await store.claimVerification(at(t0 + 1000), at(t0 + 61_000)), undefined)
      await store.recordVerification(upload.id, 5, at(t0 + 120_000))
      assert.equal((await store.getUpload(upload.id))?.verifiedBytes, 5)
      const early = await store.claimVerification(at(t0 + 90_000), at(t0 + 150_000))
      assert.notEqual(early?.id, upload.id, 'progress extended the claim')
      const lapsed = await store.claimVerification(at(t0 + 130_000), at(t0 + 190_000))
      assert.equal(lapsed?.id, upload.id, 'a lapsed claim is taken over')
    })

    test('a failure is recorded before the status moves; then it is no longer claimed', async () => {
      const upload = uploadRecord(ws, 'v/c.bin')
      await store.createUpload(upload)
      await store.markUploadVerifying(upload.id, null)
      await store.failVerification(upload.id, { code: 'checksum_mismatch', message: 'differs' })
      assert.equal((await store.getUpload(upload.id))?.status, 'verifying')
      await store.markUploadFailed(upload.id)
      const got = await store.getUpload(upload.id)
      assert.equal(got?.status, 'failed')
      assert.deepEqual(got?.failure, { code: 'checksum_mismatch', message: 'differs' })
      const far = Date.now() + 3600_000 * 24 * 400
      for (let next = await store.claimVerification(at(far), at(far + 1)); next; ) {
        assert.notEqual(next.id, upload.id)
        next = await store.claimVerification(at(far), at(far + 1))
      }
    })
  })
}
