/**
 * The test S3 server from `scripts/s3-test-server.sh start <dir>` (`source <dir>/env`; `npm test`
 * starts one), as a store config for adapter tests and as GRANARY_S3_* variables for servers.
 * Suites that need it say so with `requires('s3')`.
 */
import { randomUUID } from 'node:crypto'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import type { S3BlobStore } from '../../src/storage/s3/s3-blob-store.ts'
import type { S3StoreConfig } from '../../src/storage/s3/s3-client.ts'

type Env = Readonly<Record<string, string | undefined>>

/**
 * The test server's store config with a fresh key prefix per call, so runs never see each other's
 * objects. Throws when the server is not configured (guard the suite with `requires('s3')`).
 */
export function s3TestConfig(overrides: Partial<S3StoreConfig> = {}): S3StoreConfig {
  const env = process.env
  const endpoint = env.GRANARY_TEST_S3_ENDPOINT
  if (!endpoint) throw new Error('GRANARY_TEST_S3_ENDPOINT is not set: guard with requires("s3")')
  return {
    endpoint,
    bucket: env.GRANARY_TEST_S3_BUCKET ?? 'granary-test',
    region: env.GRANARY_TEST_S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: env.GRANARY_TEST_S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.GRANARY_TEST_S3_SECRET_ACCESS_KEY ?? '',
    },
    prefix: `test-${randomUUID()}/`,
    ...overrides,
  }
}

/** The GRANARY_S3_* variables pointing a server at the test server (the prefix is the caller's). */
export function s3ServerEnv(env: Env = process.env): Record<string, string> {
  return {
    GRANARY_STORAGE: 's3',
    GRANARY_S3_ENDPOINT: env.GRANARY_TEST_S3_ENDPOINT ?? '',
    GRANARY_S3_BUCKET: env.GRANARY_TEST_S3_BUCKET ?? 'granary-test',
    GRANARY_S3_REGION: env.GRANARY_TEST_S3_REGION ?? 'us-east-1',
    GRANARY_S3_ACCESS_KEY_ID: env.GRANARY_TEST_S3_ACCESS_KEY_ID ?? '',
    GRANARY_S3_SECRET_ACCESS_KEY: env.GRANARY_TEST_S3_SECRET_ACCESS_KEY ?? '',
    GRANARY_S3_FORCE_PATH_STYLE: 'true',
  }
}

/** Deletes what a test run left under its prefix (the test server is thrown away anyway). */
export async function emptyPrefix(store: S3BlobStore): Promise<void> {
  const { bucket, prefix } = store.config
  const listing = await store.client.send(
    new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }),
  )
  for (const object of listing.Contents ?? []) {
    if (object.Key) await store.delete(object.Key.slice(prefix.length))
  }
}
