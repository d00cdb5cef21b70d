/**
 * The two backend pairs the browser suite runs on: the embedded default, and PostgreSQL (a fresh
 * database) + S3 (a bucket of its own: the suite sets the bucket's CORS rules, which other suites
 * running at the same time on the shared test bucket also set). CI must have both.
 */
import { randomBytes } from 'node:crypto'
import {
  AbortMultipartUploadCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3'
import pg from 'pg'
import { has, requires } from '../../packages/server/test/support/requires.ts'

export interface WebBackend {
  readonly name: string
  readonly s3: boolean
  /** Screenshots for docs/ui come from this one. */
  readonly screenshots: boolean
  env(): Promise<Record<string, string>>
  cleanup(): Promise<void>
}

export function testBackends(env = process.env): WebBackend[] {
  const backends: WebBackend[] = [
    {
      name: 'the embedded default (SQLite + data folder)',
      s3: false,
      screenshots: true,
      env: async () => ({}),
      cleanup: async () => {},
    },
  ]
  const databaseUrl = env.GRANARY_TEST_DATABASE_URL
  if (databaseUrl && has('postgres', env) && has('s3', env)) {
    backends.push(postgresAndS3(databaseUrl, env))
  } else {
    requires('postgres', 's3') // says what is missing; a failing test in CI
  }
  return backends
}

function postgresAndS3(databaseUrl: string, env: NodeJS.ProcessEnv): WebBackend {
  const name = `granary_web_${randomBytes(4).toString('hex')}`
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: databaseUrl })
    await client.connect()
    try {
      await client.query(sql)
    } finally {
      await client.end()
    }
  }
  const bucket = name.replace(/_/g, '-')
  const s3 = new S3Client({
    endpoint: env.GRANARY_TEST_S3_ENDPOINT,
    region: env.GRANARY_TEST_S3_REGION ?? 'us-east-1',
    forcePathStyle: true,
    credentials: {
      accessKeyId: env.GRANARY_TEST_S3_ACCESS_KEY_ID ?? '',
      secretAccessKey: env.GRANARY_TEST_S3_SECRET_ACCESS_KEY ?? '',
    },
  })
  return {
    name: 'PostgreSQL + S3 (Ceph RGW)',
    s3: true,
    screenshots: false,
    async env() {
      await s3.send(new CreateBucketCommand({ Bucket: bucket }))
      await admin(`create database ${name}`)
      const url = new URL(databaseUrl)
      url.pathname = `/${name}`
      return {
        GRANARY_DATABASE_URL: url.toString(),
        GRANARY_STORAGE: 's3',
        GRANARY_S3_ENDPOINT: env.GRANARY_TEST_S3_ENDPOINT ?? '',
        GRANARY_S3_BUCKET: bucket,
        GRANARY_S3_REGION: env.GRANARY_TEST_S3_REGION ?? 'us-east-1',
        GRANARY_S3_ACCESS_KEY_ID: env.GRANARY_TEST_S3_ACCESS_KEY_ID ?? '',
        GRANARY_S3_SECRET_ACCESS_KEY: env.GRANARY_TEST_S3_SECRET_ACCESS_KEY ?? '',
      }
    },
    async cleanup() {
      await admin(`drop database if exists ${name} with (force)`)
      await emptyBucket(s3, bucket)
      await s3.send(new DeleteBucketCommand({ Bucket: bucket }))
      s3.destroy()
    },
  }
}

async function emptyBucket(s3: S3Client, bucket: string): Promise<void> {
  const uploads = await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))
  for (const { Key, UploadId } of uploads.Uploads ?? []) {
    await s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key, UploadId }))
  }
  let token: string | undefined
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: token }),
    )
    for (const { Key } of page.Contents ?? []) {
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key }))
    }
    token = page.NextContinuationToken
  } while (token)
}
