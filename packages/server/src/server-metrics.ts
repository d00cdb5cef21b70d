/**
 * What one Granary server exposes at /metrics (Prometheus text format, prom-client). Each server
 * has its own registry, so tests that create many servers in one process never see each other's
 * counts; the process's own metrics (CPU, memory, event loop) are one shared registry, made once,
 * because their collectors hold process-wide observers.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client'

/** Connections of a database pool (PostgreSQL's pg.Pool; SQLite has none). */
export interface PoolUse {
  readonly total: number
  readonly idle: number
  readonly waiting: number
}

/** Where the gauges read at scrape time come from; each is optional. */
export interface MetricSources {
  /** Deleted files' blobs still queued for deletion (the reaper's backlog). */
  pendingDeletions?: () => Promise<number>
  /** Webhook deliveries not yet delivered nor given up. */
  webhookBacklog?: () => Promise<number>
  /** The database pool's connections, when the driver has a pool. */
  databasePool?: () => PoolUse | undefined
}

/** One request, as /metrics counts it. */
export interface RequestSample {
  /** The route's operationId; `unknown` for requests no route matched. */
  readonly operation: string
  readonly method: string
  /** The HTTP status, or `aborted` when the client went away before the answer. */
  readonly status: string
  readonly seconds: number
  readonly bytesIn: number
  readonly bytesOut: number
}

/** Where an error came from, by its code: the metadata store, the blob store, or unknown. */
const STORE_OF_CODE: Readonly<Record<string, string>> = {
  database_unavailable: 'database',
  storage_unavailable: 'blobs',
  storage_link_refused: 'blobs',
  internal_error: 'unknown',
}

export class ServerMetrics {
  readonly registry = new Registry()
  readonly #requests: Counter<'operation' | 'method' | 'status'>
  readonly #duration: Histogram<'operation' | 'status_class'>
  readonly #bytesIn: Counter<'operation'>
  readonly #bytesOut: Counter<'operation'>
  readonly #uploadsInFlight: Gauge
  readonly #storeErrors: Counter<'store' | 'code'>
  #sources: MetricSources = {}

  constructor() {
    const registers = [this.registry]
    this.#requests = new Counter({
      name: 'granary_http_requests_total',
      help: 'HTTP requests answered, by operationId, method and status.',
      labelNames: ['operation', 'method', 'status'],
      registers,
    })
    this.#duration = new Histogram({
      name: 'granary_http_request_duration_seconds',
      help: 'Time from the request to the end of its answer, by operationId and status class.',
      labelNames: ['operation', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 1800],
      registers,
    })
    this.#bytesIn = new Counter({
      name: 'granary_http_received_bytes_total',
      help: 'Bytes received (request line, headers and body), by operationId.',
      labelNames: ['operation'],
      registers,
    })
    this.#bytesOut = new Counter({
      name: 'granary_http_sent_bytes_total',
      help: 'Bytes sent (status line, headers and body), by operationId.',
      labelNames: ['operation'],
      registers,
    })
    this.#uploadsInFlight = new Gauge({
      name: 'granary_uploads_in_flight',
      help: 'Requests carrying file bytes to the server right now (form uploads, PUTs, parts).',
      registers,
    })
    this.#storeErrors = new Counter({
      name: 'granary_store_errors_total',
      help: 'Errors of the stores, by store (database, blobs, unknown) and error code.',
      labelNames: ['store', 'code'],
      registers,
    })
    this.#backlogGauges(registers)
  }

  /** Where the backlog and pool gauges read from (set once the stores are open). */
  watch(sources: MetricSources): void {
    this.#sources = { ...this.#sources, ...sources }
  }

  recordRequest(sample: RequestSample): void {
    const { operation, method, status } = sample
    this.#requests.inc({ operation, method, status })
    const statusClass = status === 'aborted' ? status : `${status.slice(0, 1)}xx`
    this.#duration.observe({ operation, status_class: statusClass }, sample.seconds)
    if (sample.bytesIn > 0) this.#bytesIn.inc({ operation }, sample.bytesIn)
    if (sample.bytesOut > 0) this.#bytesOut.inc({ operation }, sample.bytesOut)
  }

  /** An upload body started arriving; the returned function ends it (once, whatever happens). */
  uploadStarted(): () => void {
    this.#uploadsInFlight.inc()
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.#uploadsInFlight.dec()
    }
  }

  /** Counts an error whose code says a store failed; other codes are not store errors. */
  countError(code: string): void {
    const store = STORE_OF_CODE[code]
    if (store) this.#storeErrors.inc({ store, code })
  }

  /** The exposition text: this server's metrics, then the process's. */
  async text(): Promise<string> {
    return `${await this.registry.metrics()}\n${await processRegistry().metrics()}`
  }

  get contentType(): string {
    return this.registry.contentType
  }

  #backlogGauges(registers: Registry[]): void {
    const sources = () => this.#sources
    new Gauge({
      name: 'granary_pending_deletions',
      help: "Deleted files' blobs queued for deletion and not yet deleted (the reaper's backlog).",
      registers,
      async collect() {
        await setFrom(this, sources().pendingDeletions)
      },
    })
    new Gauge({
      name: 'granary_webhook_backlog',
      help: 'Webhook deliveries waiting to be delivered or retried.',
      registers,
      async collect() {
        await setFrom(this, sources().webhookBacklog)
      },
    })
    new Gauge({
      name: 'granary_database_pool_connections',
      help: 'Database pool connections by state (total, idle, waiting for one); PostgreSQL only.',
      labelNames: ['state'],
      registers,
      collect() {
        const use = sources().databasePool?.()
        if (!use) return
        this.set({ state: 'total' }, use.total)
        this.set({ state: 'idle' }, use.idle)
        this.set({ state: 'waiting' }, use.waiting)
      },
    })
  }
}

/**
 * Sets `gauge` to what `count` answers. A database that cannot answer keeps the last value: the
 * scrape still succeeds, and the failure shows in /readyz and the request metrics.
 */
async function setFrom(gauge: Gauge, count: (() => Promise<number>) | undefined): Promise<void> {
  if (!count) return
  try {
    gauge.set(await count())
  } catch {}
}

let processMetrics: Registry | undefined

/** prom-client's process metrics, registered once per process whatever the number of servers. */
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry()
    collectDefaultMetrics({ register: processMetrics, prefix: 'granary_' })
  }
  return processMetrics
}
