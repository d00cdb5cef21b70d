/** Where the bytes go (GRANARY_STORAGE and the GRANARY_S3_* variables), read by loadConfig. */
import type { S3StoreConfig } from './storage/s3/s3-client.ts'

type Env = Readonly<Record<string, string | undefined>>

/** The data folder (`<dir>/blobs`), or an S3 bucket. */
export type StorageConfig =
  | { readonly kind: 'local'; readonly dir: string }
  | ({ readonly kind: 's3' } & S3StoreConfig)

export function loadStorageConfig(env: Env, dataDir: string, problems: string[]): StorageConfig {
  const storage = env.GRANARY_STORAGE || 'local'
  if (storage === 's3') return { kind: 's3', ...loadS3Config(env, problems) }
  if (storage !== 'local') {
    problems.push(`GRANARY_STORAGE=${storage}: expected 'local' (a data folder) or 's3'`)
  }
  return { kind: 'local', dir: dataDir }
}

function loadS3Config(env: Env, problems: string[]): S3StoreConfig {
  const bucket = env.GRANARY_S3_BUCKET
  if (!bucket) problems.push('GRANARY_S3_BUCKET: required with GRANARY_STORAGE=s3')
  const endpoint = checkEndpoint(env.GRANARY_S3_ENDPOINT, problems)
  const pathStyle = checkBoolean(
    'GRANARY_S3_FORCE_PATH_STYLE',
    env.GRANARY_S3_FORCE_PATH_STYLE,
    problems,
  )
  const credentials = checkCredentials(env, problems)
  const prefix = env.GRANARY_S3_PREFIX ?? ''
  if (prefix.startsWith('/'))
    problems.push("GRANARY_S3_PREFIX: must not start with '/' (e.g. granary/)")
  return {
    bucket: bucket ?? '',
    prefix,
    region: env.GRANARY_S3_REGION || 'us-east-1',
    // Most non-AWS stores (Ceph RGW, MinIO) need path-style addressing.
    forcePathStyle: pathStyle ?? endpoint !== undefined,
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  }
}

function checkEndpoint(raw: string | undefined, problems: string[]): string | undefined {
  if (!raw) return undefined
  if (/^https?:\/\/[^/]/.test(raw)) return raw
  problems.push(`GRANARY_S3_ENDPOINT=${raw}: expected an http(s) URL such as http://127.0.0.1:9000`)
  return undefined
}

function checkBoolean(
  name: string,
  raw: string | undefined,
  problems: string[],
): boolean | undefined {
  if (raw === undefined || raw === '') return undefined
  if (/^(true|1|yes)$/i.test(raw)) return true
  if (/^(false|0|no)$/i.test(raw)) return false
  problems.push(`${name}=${raw}: expected true or false`)
  return undefined
}

/** Both keys or neither: neither means the AWS SDK's default chain (env, profile, instance role). */
function checkCredentials(env: Env, problems: string[]): S3StoreConfig['credentials'] {
  const accessKeyId = env.GRANARY_S3_ACCESS_KEY_ID
  const secretAccessKey = env.GRANARY_S3_SECRET_ACCESS_KEY
  if (!accessKeyId && !secretAccessKey) return undefined
  if (!accessKeyId || !secretAccessKey) {
    problems.push(
      'GRANARY_S3_ACCESS_KEY_ID and GRANARY_S3_SECRET_ACCESS_KEY: set both, or neither to use the AWS default chain',
    )
    return undefined
  }
  const sessionToken = env.GRANARY_S3_SESSION_TOKEN
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) }
}
