import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import { AppError } from '../../domain/errors.ts'
import type { PoolUse } from '../../server-metrics.ts'
import { KyselyMetadataStore } from '../kysely-metadata-store.ts'
import type { Database } from '../schema.ts'
import { postgresDialect } from './postgres-dialect.ts'

export interface PostgresStoreOptions {
  /** How long a found API key is trusted before it is read again (key-cache.ts); 0: never. */
  keyCacheMs?: number
  /** Most connections this process holds (default 10): N processes use N times this many. */
  maxConnections?: number
  /** A statement running longer is cancelled server-side (default 30 s). */
  statementTimeoutMs?: number
  /** Waiting longer for a connection (new or from the pool) fails (default 5 s). */
  connectionTimeoutMs?: number
  /** An idle pooled connection is closed after this long (default 30 s). */
  idleTimeoutMs?: number
  /**
   * Told about errors of connections nobody is using at the moment (the server restarted, the
   * network dropped). They are harmless, the pool replaces the connection; log them.
   */
  onConnectionError?: (error: unknown) => void
  /** Given a function that reads the pool's connections (for /metrics). */
  watchPool?: (use: () => PoolUse) => void
}

/**
 * Opens the PostgreSQL store over a bounded `pg.Pool` and migrates it. The pool reconnects by
 * itself: after PostgreSQL restarts, calls fail with database_unavailable until it is back.
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<KyselyMetadataStore> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
    idleTimeoutMillis: options.idleTimeoutMs ?? 30_000,
    statement_timeout: options.statementTimeoutMs ?? 30_000,
    // A client that dies mid-transaction must not hold row locks until TCP notices.
    idle_in_transaction_session_timeout: 60_000,
    application_name: 'granary',
    keepAlive: true,
  })
  const onError = options.onConnectionError ?? (() => {})
  // An 'error' event without a listener kills the process. The pool listens only while a
  // connection is idle, so a connection lost mid-query or mid-transaction gets one more listener;
  // the failed query itself rejects and is translated below.
  pool.on('error', onError)
  pool.on('connect', (client) => client.on('error', onError))
  options.watchPool?.(() => ({
    total: pool.totalCount,
    idle: pool.idleCount,
    waiting: pool.waitingCount,
  }))
  const store = new KyselyMetadataStore({
    db: new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }),
    dialect: postgresDialect,
    translateError: translatePostgresError,
    isUniqueViolation: (error) => sqlState(error) === '23505',
    ...(options.keyCacheMs !== undefined ? { keyCacheMs: options.keyCacheMs } : {}),
  })
  try {
    await store.migrate()
  } catch (error) {
    await store.close()
    throw error
  }
  return store
}

/** Node's socket errors meaning the server is unreachable or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
])

/** What `pg` and `pg-pool` throw, without a code, when a connection ends or cannot be had. */
const CONNECTION_MESSAGES = [
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'timeout exceeded when trying to connect',
  'Client was closed and is not queryable',
]

/**
 * SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html) a retry after a
 * moment fixes: 08 connection exception, 53 insufficient resources (too many connections),
 * 57P01-03 shutdown/crash/starting, 57014 statement timeout, 55P03 lock timeout, 40001
 * serialization failure, 40P01 deadlock. The transaction was rolled back, so the whole call can
 * be repeated; the store does not retry, the client does after Retry-After (see the 503).
 */
function isTransient(state: string): boolean {
  return (
    state.startsWith('08') ||
    state.startsWith('53') ||
    ['57P01', '57P02', '57P03', '57014', '55P03', '40001', '40P01'].includes(state)
  )
}

/** PostgreSQL's and the network's errors to Granary's; anything else is answered unchanged. */
export function translatePostgresError(error: unknown): unknown {
  if (error instanceof AppError || !(error instanceof Error)) return error
  const state = sqlState(error)
  // 22021: PostgreSQL text cannot hold U+0000 (SQLite can), so such a value is never stored.
  if (state === '22021') {
    return new AppError(
      'invalid_request',
      'A value contains a NUL character (U+0000), which Granary cannot store or find.',
      { cause: error },
    )
  }
  const transient =
    (state !== undefined && isTransient(state)) ||
    networkFailure(error) ||
    CONNECTION_MESSAGES.some((m) => error.message.startsWith(m))
  if (!transient) return error
  return new AppError(
    'database_unavailable',
    'The database is unavailable or busy; retry shortly.',
    { cause: error },
  )
}

/** The SQLSTATE of a PostgreSQL error (`pg` puts it in `code`, five characters). */
function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined
}

/** Node 20 tries every address of a host and reports an AggregateError of the attempts. */
function networkFailure(error: Error): boolean {
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true
  return (
    error instanceof AggregateError &&
    error.errors.some((e) => e instanceof Error && networkFailure(e))
  )
}
