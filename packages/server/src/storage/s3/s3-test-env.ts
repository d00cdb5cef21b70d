import { randomUUID } from 'node:crypto'
import { test } from 'node:test'
import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import type { S3BlobStore } from './s3-blob-store.ts'
import type { S3StoreConfig } from './s3-client.ts'

const SKIP = 'no S3 test server: GRANARY_TEST_S3_ENDPOINT is not set'

/**
 * The test S3 server from `scripts/s3-test-server.sh start <dir>` (`source <dir>/env`), with a
 * fresh key prefix per run so runs never see each other's objects; undefined when not started.
 */
export function s3TestConfig(overrides: Partial<S3StoreConfig> = {}): S3StoreConfig | undefined {
  const env = process.env
  const endpoint = env.GRANARY_TEST_S3_ENDPOINT
  if (!endpoint) return undefined
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

/**
 * Options for `describe`: skip loudly without an S3 server, but in CI (CI set) a missing server
 * is a failing test, never a silent skip.
 */
export function whenS3Available(): { skip?: string } {
  if (process.env.GRANARY_TEST_S3_ENDPOINT) return {}
  if (process.env.CI) {
    test('the S3 test server is running (required in CI)', () => {
      throw new Error(
        `${SKIP}; CI must run scripts/s3-test-server.sh start <dir> and source <dir>/env`,
      )
    })
    return { skip: SKIP }
  }
  const bar = '!'.repeat(78)
  console.error(
    `\n${bar}\n!! SKIPPING the S3 tests: ${SKIP}.\n!! Run: scripts/s3-test-server.sh start /tmp/granary-s3 && source /tmp/granary-s3/env\n${bar}\n`,
  )
  return { skip: SKIP }
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
