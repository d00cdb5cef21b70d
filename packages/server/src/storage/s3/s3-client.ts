import { S3Client } from '@aws-sdk/client-s3'

/** Where the S3 adapter keeps blobs and how it talks to the store. Frozen by `freezeS3Config`. */
export interface S3StoreConfig {
  readonly bucket: string
  /** Prepended to every blob name: object key = `<prefix><name>` (e.g. `granary/`). */
  readonly prefix?: string
  readonly region: string
  /** For non-AWS stores (Ceph RGW, MinIO, R2); unset means AWS S3. */
  readonly endpoint?: string
  /** `bucket` in the path instead of the host name; most non-AWS stores need it. */
  readonly forcePathStyle: boolean
  /** Unset: the AWS SDK's default chain (env, profile, IMDS, ...). */
  readonly credentials?: Readonly<S3Credentials>
  /** Multipart part size in bytes for put(), >= 5 MiB (S3's minimum). Default 8 MiB. */
  readonly partSize?: number
  /** Parts uploaded in parallel per put(); memory per put is about queueSize x partSize. Default 4. */
  readonly queueSize?: number
  /** Milliseconds to open a connection. Default 5000. */
  readonly connectTimeoutMs?: number
  /** Milliseconds a socket may stay idle mid-request. Default 60000. */
  readonly idleTimeoutMs?: number
  /** Attempts per request, retries included (the SDK backs off on throttling). Default 3. */
  readonly maxAttempts?: number
}

export interface S3Credentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string
}

export const MIN_PART_SIZE = 5 * 1024 * 1024
export const DEFAULT_PART_SIZE = 8 * 1024 * 1024
const DEFAULT_QUEUE_SIZE = 4

export function freezeS3Config(
  config: S3StoreConfig,
): Readonly<Required<Omit<S3StoreConfig, 'endpoint' | 'credentials'>>> & S3StoreConfig {
  if (!config.bucket) throw new TypeError('S3 config: bucket is required')
  if (!config.region) throw new TypeError('S3 config: region is required')
  const partSize = config.partSize ?? DEFAULT_PART_SIZE
  if (partSize < MIN_PART_SIZE)
    throw new TypeError(`S3 config: partSize must be >= ${MIN_PART_SIZE}`)
  return Object.freeze({
    ...config,
    credentials: config.credentials && Object.freeze({ ...config.credentials }),
    prefix: config.prefix ?? '',
    partSize,
    queueSize: config.queueSize ?? DEFAULT_QUEUE_SIZE,
    connectTimeoutMs: config.connectTimeoutMs ?? 5000,
    idleTimeoutMs: config.idleTimeoutMs ?? 60_000,
    maxAttempts: config.maxAttempts ?? 3,
  })
}

export type FrozenS3Config = ReturnType<typeof freezeS3Config>

/** Builds the client; no I/O happens until the first request. */
export function createS3Client(config: FrozenS3Config): S3Client {
  const agent = { keepAlive: true, maxSockets: 64 }
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    // A copy: the SDK tags the credentials object it is given, and ours is frozen.
    ...(config.credentials ? { credentials: { ...config.credentials } } : {}),
    forcePathStyle: config.forcePathStyle,
    maxAttempts: config.maxAttempts,
    // SDK 3.729+ streams bodies with trailing checksums by default; Ceph RGW, MinIO and R2
    // answer 411 or reject them. We compute SHA-256 ourselves while streaming instead.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    // Bounded connect and idle times, never a total time a large transfer would hit.
    requestHandler: {
      connectionTimeout: config.connectTimeoutMs,
      socketTimeout: config.idleTimeoutMs,
      httpAgent: agent,
      httpsAgent: agent,
    },
  })
}
