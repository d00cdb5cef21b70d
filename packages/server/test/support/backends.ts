/**
 * The backend matrix the HTTP suite runs over: metadata {sqlite, postgres} x blobs {local, s3}.
 * SQLite + local always runs; PostgreSQL when GRANARY_TEST_DATABASE_URL is set and S3 when
 * GRANARY_TEST_S3_ENDPOINT is (scripts/run-tests.ts starts both when it can). In CI a missing
 * backend fails the run instead of being skipped.
 */
export interface Backend {
  readonly name: string
  /** Environment variables selecting it, on top of a test data folder. */
  readonly env: Readonly<Record<string, string>>
}

export function backendMatrix(env = process.env): Backend[] {
  const metadata: Array<[string, Record<string, string>]> = [['sqlite', {}]]
  if (env.GRANARY_TEST_DATABASE_URL) {
    metadata.push(['postgres', { GRANARY_DATABASE_URL: env.GRANARY_TEST_DATABASE_URL }])
  }
  const blobs: Array<[string, Record<string, string>]> = [['local', {}]]
  if (env.GRANARY_TEST_S3_ENDPOINT) blobs.push(['s3', s3Env(env)])
  requireInCi(env)
  return metadata.flatMap(([m, menv]) =>
    blobs.map(([b, benv]) => ({ name: `${m}+${b}`, env: { ...menv, ...benv } })),
  )
}

function s3Env(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    GRANARY_STORAGE: 's3',
    GRANARY_S3_ENDPOINT: env.GRANARY_TEST_S3_ENDPOINT ?? '',
    GRANARY_S3_BUCKET: env.GRANARY_TEST_S3_BUCKET ?? 'granary-test',
    GRANARY_S3_REGION: env.GRANARY_TEST_S3_REGION ?? 'us-east-1',
    GRANARY_S3_ACCESS_KEY_ID: env.GRANARY_TEST_S3_ACCESS_KEY_ID ?? '',
    GRANARY_S3_SECRET_ACCESS_KEY: env.GRANARY_TEST_S3_SECRET_ACCESS_KEY ?? '',
    GRANARY_S3_FORCE_PATH_STYLE: 'true',
    // startTestServer gives each server its own GRANARY_S3_PREFIX in the shared bucket.
  }
}

let warned = false

function requireInCi(env: NodeJS.ProcessEnv): void {
  const missing = [
    env.GRANARY_TEST_DATABASE_URL ? undefined : 'PostgreSQL (GRANARY_TEST_DATABASE_URL)',
    env.GRANARY_TEST_S3_ENDPOINT ? undefined : 'S3 (GRANARY_TEST_S3_ENDPOINT)',
  ].filter((m) => m !== undefined)
  if (missing.length === 0) return
  if (env.CI) throw new Error(`CI must run every backend; missing: ${missing.join(', ')}`)
  if (!warned) {
    warned = true
    process.stderr.write(
      `\n!!! NOT TESTED on ${missing.join(' and ')}: not available here. !!!\n\n`,
    )
  }
}
