import type { Clock } from '../../domain/clock.ts'
import type { BlobStore, StorageAdmin, TransferUrls } from '../../domain/ports.ts'
import { S3BlobStore } from './s3-blob-store.ts'
import type { S3StoreConfig } from './s3-client.ts'
import { S3StorageAdmin } from './s3-storage-admin.ts'
import { S3TransferUrls } from './s3-transfer-urls.ts'

/** The S3 backend: blobs in the bucket, real presigned URLs, bucket CORS for operators. */
export async function openS3Storage(
  config: S3StoreConfig,
  clock: Clock,
): Promise<{ blobs: BlobStore; urls: TransferUrls; storageAdmin: StorageAdmin }> {
  const blobs = await S3BlobStore.open(config)
  const urls = new S3TransferUrls(blobs.client, blobs.config, clock)
  return { blobs, urls, storageAdmin: new S3StorageAdmin(blobs) }
}
