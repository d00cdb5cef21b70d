/**
 * The backend matrix the HTTP suite runs over: metadata {sqlite, postgres} x blobs {local, s3}.
 * SQLite + local always runs; PostgreSQL and S3 when the test services are there (`npm test`
 * starts both when it can). What is missing is reported by `requires` (a failure in CI).
 */
import { has, requires } from './requires.ts'
import { s3ServerEnv } from './s3-test-env.ts'

export interface Backend {
  readonly name: string
  /** Environment variables selecting it, on top of a test data folder. */
  readonly env: Readonly<Record<string, string>>
}

export function backendMatrix(env = process.env): Backend[] {
  requires('postgres', 's3')
  const metadata: Array<[string, Record<string, string>]> = [['sqlite', {}]]
  if (has('postgres', env)) {
    metadata.push(['postgres', { GRANARY_DATABASE_URL: env.GRANARY_TEST_DATABASE_URL ?? '' }])
  }
  const blobs: Array<[string, Record<string, string>]> = [['local', {}]]
  // startTestServer gives each server its own GRANARY_S3_PREFIX in the shared bucket.
  if (has('s3', env)) blobs.push(['s3', s3ServerEnv(env)])
  return metadata.flatMap(([m, menv]) =>
    blobs.map(([b, benv]) => ({ name: `${m}+${b}`, env: { ...menv, ...benv } })),
  )
}
