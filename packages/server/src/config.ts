/**
 * Configuration: read once from an env-like object, validated with every problem reported at once
 * (each naming its variable), then frozen. Nothing else reads process.env.
 */
import { join, resolve } from 'node:path'
import { FORM_UPLOAD_MAX_BYTES_DEFAULT } from '@granary/protocol'
import { loadStorageConfig, type StorageConfig } from './config-s3.ts'

/** SQLite in the data folder, or PostgreSQL (GRANARY_DATABASE_URL). */
export type MetadataConfig =
  | { readonly kind: 'sqlite'; readonly file: string }
  | {
      readonly kind: 'postgres'
      /** postgres:// or postgresql://; may hold a password, so never logged. */
      readonly url: string
      /** Most connections this process opens. */
      readonly poolSize: number
    }

export interface Config {
  readonly host: string
  readonly port: number
  readonly dataDir: string
  /** Where the metadata lives. */
  readonly metadata: MetadataConfig
  /** Where the bytes go. */
  readonly storage: StorageConfig
  /** Base of the signed URLs Granary hands out. */
  readonly publicUrl: string
  /** Bootstrap admin key; generated on first start when absent. */
  readonly adminKey: string | undefined
  /** HMAC key of signed URLs; generated and kept in the data folder when absent. */
  readonly signingSecret: string | undefined
  /**
   * What the download call answers by default (GRANARY_LINKS): 'granary', Granary links that
   * htslib tools follow to the file's index (domain/links); 'direct', the store's own URL.
   * Defaults to 'granary' on the local backend, 'direct' (presigned URLs) on S3.
   */
  readonly links: 'granary' | 'direct'
  readonly maxUploadBytes: number
  /** A request body that sends nothing for this long is abandoned. */
  readonly bodyIdleTimeoutMs: number
  /**
   * How long a found API key is trusted before it is read again; a revocation by this process
   * takes effect at once, by another process within this bound. 0 reads it on every request.
   */
  readonly keyCacheMs: number
  readonly logLevel: string
  /** Declared sizes from this up get a multipart session (bytes). */
  readonly multipartThreshold: number
  /** Default part size of multipart sessions (bytes). */
  readonly partSize: number
  /** Open uploads expire after this long without activity, or this long after they started. */
  readonly uploadIdleTimeoutS: number
  readonly uploadMaxAgeS: number
  /** How often the reaper looks for expired uploads (0: never in the background). */
  readonly reaperIntervalS: number
  /** A blob nothing refers to is deleted once it is this old (the orphan sweep, daily and on gc). */
  readonly orphanGraceS: number
  /** Folder moves and copies over this many files run as a job (GRANARY_JOB_THRESHOLD). */
  readonly jobThreshold: number
  /** Files per transaction of a job (GRANARY_JOB_BATCH_SIZE). */
  readonly jobBatchSize: number
  /** S3: confirming an upload from this size up answers 202 and verifies in the background. */
  readonly backgroundVerifyBytes: number
  /** Background verifications this process runs at once (0: leave them to other processes). */
  readonly verifyConcurrency: number
  /** The built web UI (GRANARY_WEB_DIR); undefined: the one beside the server (packages/web/dist). */
  readonly webDir: string | undefined
  /** /readyz answers 503 when the data folder has less free space than this (0: no check). */
  readonly minFreeBytes: number
  /** Proxies (addresses or CIDRs) whose X-Forwarded-For names the client; none when undefined. */
  readonly trustProxy: string | undefined
  /** Throttling (http/rate-limits.ts): failed authentications per address, requests per key. */
  readonly rateLimits: {
    readonly authFailures: number
    readonly authWindowS: number
    readonly keyRequests: number
    readonly keyWindowS: number
  }
  /** Bearer token that may read /metrics besides admin keys (GRANARY_METRICS_TOKEN). */
  readonly metricsToken: string | undefined
  /** Webhook targets on loopback, private or link-local addresses are allowed (tests, labs). */
  readonly webhookAllowPrivate: boolean
  /** Audit events older than this many days are purged by the background loop. */
  readonly auditDays: number
}

export class ConfigError extends Error {
  readonly problems: readonly string[]

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

type Env = Readonly<Record<string, string | undefined>>

const MiB = 1024 * 1024
const GiB = 1024 * MiB

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']

export function loadConfig(env: Env, cwd = process.cwd()): Config {
  const problems: string[] = []
  const integer = (name: string, fallback: number, min: number, max: number): number => {
    const raw = env[name]
    if (raw === undefined || raw === '') return fallback
    const value = Number(raw)
    if (!Number.isSafeInteger(value) || value < min || value > max) {
      problems.push(`${name}=${raw}: expected a whole number from ${min} to ${max}`)
      return fallback
    }
    return value
  }
  const host = env.HOST || '127.0.0.1'
  const port = integer('PORT', 8080, 0, 65535)
  const publicUrl = checkUrl(env.GRANARY_PUBLIC_URL, problems) ?? `http://${urlHost(host)}:${port}`
  const adminKey = env.GRANARY_ADMIN_KEY || undefined
  if (adminKey !== undefined && adminKey.length < 16) {
    problems.push('GRANARY_ADMIN_KEY: must be at least 16 characters (use a long random string)')
  }
  const signingSecret = env.GRANARY_SIGNING_SECRET || undefined
  if (signingSecret !== undefined && signingSecret.length < 32) {
    problems.push(
      'GRANARY_SIGNING_SECRET: must be at least 32 characters (use a long random string)',
    )
  }
  const links = env.GRANARY_LINKS || undefined
  if (links !== undefined && links !== 'granary' && links !== 'direct') {
    problems.push(`GRANARY_LINKS=${links}: expected granary or direct`)
  }
  const dataDir = resolve(cwd, env.GRANARY_DATA_DIR || 'data')
  const databaseUrl = checkDatabaseUrl(env.GRANARY_DATABASE_URL, problems)
  const poolSize = integer('GRANARY_DATABASE_POOL_SIZE', 10, 1, 1000)
  const logLevel = env.GRANARY_LOG_LEVEL || 'info'
  const metricsToken = env.GRANARY_METRICS_TOKEN || undefined
  if (metricsToken !== undefined && metricsToken.length < 16) {
    problems.push(
      'GRANARY_METRICS_TOKEN: must be at least 16 characters (use a long random string)',
    )
  }
  if (!LOG_LEVELS.includes(logLevel))
    problems.push(`GRANARY_LOG_LEVEL=${logLevel}: expected one of ${LOG_LEVELS.join(', ')}`)
  const storage = loadStorageConfig(env, dataDir, problems)
  const config: Config = {
    metadata: databaseUrl
      ? { kind: 'postgres', url: databaseUrl, poolSize }
      : { kind: 'sqlite', file: join(dataDir, 'granary.sqlite') },
    storage,
    host,
    port,
    dataDir,
    publicUrl,
    adminKey,
    signingSecret,
    links:
      links === 'granary' || links === 'direct'
        ? links
        : storage.kind === 's3'
          ? 'direct'
          : 'granary',
    maxUploadBytes: integer(
      'GRANARY_MAX_UPLOAD_BYTES',
      FORM_UPLOAD_MAX_BYTES_DEFAULT,
      1,
      Number.MAX_SAFE_INTEGER,
    ),
    bodyIdleTimeoutMs: integer('GRANARY_BODY_IDLE_TIMEOUT_MS', 60_000, 1000, 3_600_000),
    keyCacheMs: integer('GRANARY_KEY_CACHE_MS', 1000, 0, 10_000),
    logLevel,
    multipartThreshold: integer('GRANARY_MULTIPART_THRESHOLD', 5 * GiB, 0, Number.MAX_SAFE_INTEGER),
    partSize: integer('GRANARY_PART_SIZE', 64 * MiB, 5 * MiB, 5 * GiB),
    uploadIdleTimeoutS: integer('GRANARY_UPLOAD_IDLE_TIMEOUT_S', 24 * 3600, 1, 365 * 24 * 3600),
    uploadMaxAgeS: integer('GRANARY_UPLOAD_MAX_AGE_S', 7 * 24 * 3600, 1, 365 * 24 * 3600),
    reaperIntervalS: integer('GRANARY_REAPER_INTERVAL_S', 600, 0, 24 * 3600),
    orphanGraceS: integer('GRANARY_ORPHAN_GRACE_S', 3600, 0, 30 * 24 * 3600),
    jobThreshold: integer('GRANARY_JOB_THRESHOLD', 10_000, 0, 1_000_000),
    jobBatchSize: integer('GRANARY_JOB_BATCH_SIZE', 1000, 1, 100_000),
    backgroundVerifyBytes: integer(
      'GRANARY_S3_BACKGROUND_VERIFY_BYTES',
      GiB,
      0,
      Number.MAX_SAFE_INTEGER,
    ),
    verifyConcurrency: integer('GRANARY_VERIFY_CONCURRENCY', 1, 0, 16),
    webDir: env.GRANARY_WEB_DIR ? resolve(cwd, env.GRANARY_WEB_DIR) : undefined,
    minFreeBytes: integer('GRANARY_MIN_FREE_BYTES', GiB, 0, Number.MAX_SAFE_INTEGER),
    trustProxy: env.GRANARY_TRUST_PROXY || undefined,
    rateLimits: Object.freeze({
      authFailures: integer('GRANARY_RATE_LIMIT_AUTH_FAILURES', 20, 0, 1_000_000),
      authWindowS: integer('GRANARY_RATE_LIMIT_AUTH_WINDOW_S', 60, 1, 24 * 3600),
      keyRequests: integer('GRANARY_RATE_LIMIT_KEY_REQUESTS', 0, 0, 100_000_000),
      keyWindowS: integer('GRANARY_RATE_LIMIT_KEY_WINDOW_S', 60, 1, 24 * 3600),
    }),
    metricsToken,
    webhookAllowPrivate: env.GRANARY_WEBHOOK_ALLOW_PRIVATE === 'true',
    auditDays: integer('GRANARY_AUDIT_DAYS', 365, 1, 100 * 365),
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return deepFreeze(config)
}

function checkUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (!raw) return undefined
  try {
    const url = new URL(raw)
    if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '')
  } catch {}
  problems.push(
    `GRANARY_PUBLIC_URL=${raw}: expected an http(s) URL such as https://files.example.org`,
  )
  return undefined
}

/** Only PostgreSQL URLs; the problem never echoes the URL, which may hold a password. */
function checkDatabaseUrl(raw: string | undefined, problems: string[]): string | undefined {
  if (!raw) return undefined
  if (/^postgres(ql)?:\/\//.test(raw)) return raw
  problems.push(
    'GRANARY_DATABASE_URL: expected a PostgreSQL URL such as postgres://granary:secret@db:5432/granary (unset it for SQLite)',
  )
  return undefined
}

/** IPv6 literals need brackets in URLs; the wildcard addresses are not reachable names. */
function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

/** Freezes `value` and everything it holds: nothing can change the configuration once loaded. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child)
    Object.freeze(value)
  }
  return value
}
