/** The only place that picks adapters and wires them to the domain. */
import { setTimeout as sleep } from 'node:timers/promises'
import { systemClock } from './clocks.ts'
import type { Config } from './config.ts'
import { AdminService } from './domain/admin-service.ts'
import { AuditService } from './domain/audit-service.ts'
import { BlobDeletions } from './domain/blob-deletions.ts'
import type { Clock } from './domain/clock.ts'
import { FileService } from './domain/file-service.ts'
import { GenomicsService } from './domain/genomics/genomics-service.ts'
import { IndexCache } from './domain/genomics/index-cache.ts'
import { JobRunner } from './domain/jobs.ts'
import { LargeUploadService } from './domain/large-upload-service.ts'
import { assertLinkGranted } from './domain/link-grants.ts'
import { LinkRevocationService } from './domain/link-revocation.ts'
import { LinkService } from './domain/links/link-service.ts'
import { MoveService } from './domain/move-service.ts'
import { MultipartService } from './domain/multipart-service.ts'
import type { BlobStore, MetadataStore, StorageAdmin, TransferUrls } from './domain/ports.ts'
import { ScrubService } from './domain/scrub.ts'
import type { TransferEndpoints } from './domain/transfer-endpoints.ts'
import { TrashService } from './domain/trash-service.ts'
import type { UploadPolicy } from './domain/upload-policy.ts'
import { UploadReaper } from './domain/upload-reaper.ts'
import { UploadVerifier } from './domain/upload-verifier.ts'
import { VersionService } from './domain/version-service.ts'
import type { EventFeed } from './domain/webhooks/webhook-ports.ts'
import { ANNOUNCED_ACTIONS } from './domain/webhooks/webhook-schedule.ts'
import { WebhookService } from './domain/webhooks/webhook-service.ts'
import { WebhookWorker } from './domain/webhooks/webhook-worker.ts'
import { WorkspaceSettingsService } from './domain/workspace-settings-service.ts'
import { openSqliteStore } from './metadata/sqlite/open-sqlite-store.ts'
import { HttpWebhookSender } from './outbound/http-webhook-sender.ts'
import type { PoolUse } from './server-metrics.ts'
import { LocalBlobStore } from './storage/local/local-blob-store.ts'
import { LocalStorageAdmin } from './storage/local/local-storage-admin.ts'
import { LocalTransferEndpoints } from './storage/local/local-transfer-endpoints.ts'
import { LocalTransferUrls } from './storage/local/local-transfer-urls.ts'
import { UrlSigner } from './storage/local/url-signer.ts'

export interface Services {
  readonly config: Config
  /** The time every service reads (real time unless a test supplied one). */
  readonly clock: Clock
  readonly metadata: MetadataStore
  readonly blobs: BlobStore
  readonly files: FileService
  /** Region queries and headers of indexed genomic files. */
  readonly genomics: GenomicsService
  /** Move and copy of files and folders. */
  readonly moves: MoveService
  /** Runs big folder moves and copies in batches (server.ts resumes them every few seconds). */
  readonly jobs: JobRunner
  /** Granary links: the URLs htslib tools follow to a file's index (domain/links). */
  readonly links: LinkService
  /** Retries the deletion of deleted files' bytes (server.ts runs it every few seconds). */
  readonly deletions: BlobDeletions
  readonly largeUploads: LargeUploadService
  readonly multipart: MultipartService
  readonly reaper: UploadReaper
  /** Reads back the uploads whose confirm answered 202 (S3, large objects). */
  readonly verifier: UploadVerifier
  readonly admin: AdminService
  /** Re-hashes stored files against their recorded SHA-256 (`granary admin scrub`). */
  readonly scrub: ScrubService
  /** The audit trail: reading it, its retention, refused attempts. */
  readonly audit: AuditService
  /** POST /v1/files/revoke-links. */
  readonly linkRevocations: LinkRevocationService
  /** Issue 14: older versions, the trash, workspace settings and usage. */
  readonly versions: VersionService
  readonly trash: TrashService
  readonly workspaces: WorkspaceSettingsService
  /** Granary's own signed endpoints: the local backend's, undefined on S3 (nothing to mount). */
  readonly transfers: TransferEndpoints | undefined
  /** Webhooks as admins manage them, and the worker that delivers them (server.ts runs it). */
  readonly webhooks: WebhookService
  readonly webhookWorker: WebhookWorker
  /** The database pool's connections (PostgreSQL); undefined for SQLite. */
  databasePool(): PoolUse | undefined
  close(): Promise<void>
}

export interface ComposeOptions {
  /** The signing secret to use (main.ts resolves a generated one from the data folder). */
  signingSecret: string
  onBackgroundError: (error: unknown, context: string) => void
  /** Defaults to real time; tests pass one they move. */
  clock?: Clock
}

export async function composeServices(config: Config, options: ComposeOptions): Promise<Services> {
  const clock = options.clock ?? systemClock
  let poolUse: (() => PoolUse) | undefined
  const metadata = await openMetadata(config, options, (use) => {
    poolUse = use
  })
  const { blobs, urls, storageAdmin, signer } = await openBlobs(
    config,
    options.signingSecret,
    clock,
  )
  const deletions = new BlobDeletions(metadata, blobs, {
    retryAfterMs: DELETION_RETRY_MS,
    onError: options.onBackgroundError,
    clock,
  })
  const links = new LinkService({
    publicUrl: config.publicUrl,
    signer: signer ?? new UrlSigner(options.signingSecret, clock),
    metadata,
    blobs,
    urls,
    serve: signer ? 'stream' : 'redirect',
    byDefault: config.links === 'granary',
    checkRevocation: (link, file) =>
      assertLinkGranted(metadata, {
        issuedBy: link.issuedBy,
        fileId: file.id,
        generation: link.generation,
      }),
  })
  const files = new FileService({
    metadata,
    blobs,
    urls,
    links,
    deletions,
    onBackgroundError: options.onBackgroundError,
    clock,
  })
  const jobs = new JobRunner(metadata, {
    batchSize: config.jobBatchSize,
    clock,
    deletions,
    onError: options.onBackgroundError,
  })
  const moves = new MoveService({
    metadata,
    deletions,
    jobs,
    clock,
    jobThreshold: config.jobThreshold,
  })
  const policy: UploadPolicy = {
    multipartThreshold: config.multipartThreshold,
    partSize: config.partSize,
    idleTimeoutMs: config.uploadIdleTimeoutS * 1000,
    maxAgeMs: config.uploadMaxAgeS * 1000,
    // Only S3 reads the bytes back at confirm; the local backend hashes them on arrival.
    backgroundVerifyBytes:
      config.storage.kind === 's3' ? config.backgroundVerifyBytes : Number.POSITIVE_INFINITY,
  }
  const multipart = new MultipartService({ metadata, blobs, urls, policy, clock })
  let verifier: UploadVerifier | undefined
  const largeUploads = new LargeUploadService({
    metadata,
    blobs,
    urls,
    files,
    multipart,
    policy,
    clock,
    onVerifying: () => verifier?.wake(),
  })
  const scrub = new ScrubService({
    metadata,
    blobs,
    clock,
    sleep: (ms, signal) => sleep(ms, undefined, { signal }),
    onBackgroundError: options.onBackgroundError,
  })
  verifier = new UploadVerifier({
    metadata,
    verify: (upload, onProgress) => largeUploads.verify(upload, onProgress),
    clock,
    concurrency: config.verifyConcurrency,
    claimMs: VERIFY_CLAIM_MS,
    pollMs: VERIFY_POLL_MS,
    onError: options.onBackgroundError,
  })
  // Resumes what a stopped process left verifying.
  verifier.start()
  const sender = new HttpWebhookSender({ allowPrivate: config.webhookAllowPrivate })
  return Object.freeze({
    config,
    clock,
    webhooks: new WebhookService({ store: metadata.webhooks, metadata, sender, clock }),
    webhookWorker: new WebhookWorker({
      store: metadata.webhooks,
      feed: webhookFeed(metadata),
      sender,
      clock,
      wallClock: systemClock,
    }),
    metadata,
    blobs,
    files,
    genomics: new GenomicsService({
      metadata,
      blobs,
      files,
      cache: new IndexCache(INDEX_CACHE_BYTES),
    }),
    moves,
    jobs,
    links,
    deletions,
    largeUploads,
    multipart,
    reaper: new UploadReaper(metadata, blobs, { orphanGraceMs: config.orphanGraceS * 1000, clock }),
    admin: new AdminService(metadata, storageAdmin, clock),
    scrub,
    audit: new AuditService(metadata, { clock, retentionDays: config.auditDays }),
    linkRevocations: new LinkRevocationService(metadata, clock),
    versions: new VersionService({ metadata, removal: files.removal, clock }),
    trash: new TrashService({ metadata, removal: files.removal, clock }),
    workspaces: new WorkspaceSettingsService(metadata, clock),
    transfers: signer
      ? new LocalTransferEndpoints({ signer, blobs, metadata, largeUploads, multipart })
      : undefined,
    databasePool: () => poolUse?.(),
    verifier,
    async close() {
      await scrub.close()
      await jobs.close()
      await verifier.stop()
      await metadata.close()
      await blobs.close()
    },
  })
}

/** The audit log read forward: the webhooks' outbox (written in each change's transaction). */
function webhookFeed(metadata: MetadataStore): EventFeed {
  return {
    eventsAfter: (seq, limit) =>
      metadata.listEvents({ cursor: seq, order: 'asc', limit, actions: ANNOUNCED_ACTIONS }),
  }
}

/** Parsed genomic indexes and headers kept in memory, estimated bytes (a human BAM's .bai is ~9 MB). */
export const INDEX_CACHE_BYTES = 256 * 1024 * 1024
/** A verification that stops renewing its claim this long is taken over by another process. */
export const VERIFY_CLAIM_MS = 60_000
/** An idle process looks for verifications to run (or take over) this often. */
export const VERIFY_POLL_MS = 5_000

/** A failed deletion of a deleted file's bytes is retried this soon. */
export const DELETION_RETRY_MS = 5_000

async function openMetadata(
  config: Config,
  options: ComposeOptions,
  watchPool: (use: () => PoolUse) => void,
): Promise<MetadataStore> {
  const metadata = config.metadata
  const keyCacheMs = config.keyCacheMs
  if (metadata.kind === 'sqlite') return openSqliteStore(metadata.file, { keyCacheMs })
  const { openPostgresStore } = await import('./metadata/postgres/open-postgres-store.ts')
  return openPostgresStore(metadata.url, {
    keyCacheMs,
    maxConnections: metadata.poolSize,
    onConnectionError: (error) => options.onBackgroundError(error, 'postgres connection'),
    watchPool,
  })
}

interface OpenedBlobs {
  blobs: BlobStore
  urls: TransferUrls
  storageAdmin: StorageAdmin
  /** Set when the URLs point at Granary itself, whose endpoints check them with it. */
  signer?: UrlSigner
}

/** S3 with real presigned URLs, or the data folder with URLs to Granary's own signed endpoints. */
async function openBlobs(
  config: Config,
  signingSecret: string,
  clock: Clock,
): Promise<OpenedBlobs> {
  const storage = config.storage
  if (storage.kind === 's3') {
    // Loaded only when configured: the AWS SDK alone costs ~30 MB of memory.
    const { openS3Storage } = await import('./storage/s3/open-s3-storage.ts')
    return openS3Storage(storage, clock)
  }
  const signer = new UrlSigner(signingSecret, clock)
  const blobs = await LocalBlobStore.open(storage.dir)
  const urls = new LocalTransferUrls(config.publicUrl, signer)
  return { blobs, urls, storageAdmin: new LocalStorageAdmin(blobs, storage.dir), signer }
}
