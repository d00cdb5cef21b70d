import { type Kysely, Migrator, type Transaction } from 'kysely'
import {
  type AuditContext,
  type AuditEvent,
  type Audited,
  type AuditFacts,
  type AuditQuery,
  facts,
  fileFacts,
} from '../domain/audit.ts'
import { AppError } from '../domain/errors.ts'
import type {
  FreedBlobs,
  TrashRange,
  TrashRecord,
  TrashRequest,
  TrashRestoreRequest,
  VersionRecord,
  WorkspaceSettings,
  WorkspaceUsage,
} from '../domain/lifecycle-ports.ts'
import type { LinkGrantState } from '../domain/link-grants.ts'
import type {
  FileMoveResult,
  FolderStepResult,
  JobBatchResult,
  JobRecord,
  MoveRequest,
} from '../domain/move-ports.ts'
import type {
  FileRecord,
  KeyRecord,
  ListRange,
  MetadataStore,
  PutFileResult,
  Upload,
  UploadFailure,
  WorkspaceRecord,
} from '../domain/ports.ts'
import { listEvents, purgeEvents, writeEvents } from './audit-events.ts'
import { isReferenced, isServable, releaseBlobs } from './blob-references.ts'
import { countUnder, moveFolderStep, moveOneFile } from './file-moves.ts'
import * as versions from './file-versions.ts'
import { findFile, putFileIn } from './file-writes.ts'
import { folderEntries } from './folder-entries.ts'
import { failJob, findJob, jobBatchIn, jobRecord, jobRow } from './jobs-table.ts'
import { KeyCache } from './key-cache.ts'
import {
  bumpLinkGeneration,
  isKeyActive,
  linkGeneration,
  linkGrantState,
} from './link-generations.ts'
import { GranaryMigrations } from './migrations/index.ts'
import { filePage, keyBySecretHash, workspaceById } from './request-lookups.ts'
import {
  fileRecord,
  keyRecord,
  keyRow,
  uploadRecord,
  uploadRow,
  workspaceRecord,
  workspaceRow,
} from './rows.ts'
import type { Database } from './schema.ts'
import type { SqlDialect } from './sql-dialect.ts'
import * as trash from './trash.ts'
import * as verifications from './upload-verifications.ts'
import { KyselyWebhookStore, type WebhookTables } from './webhook-store.ts'
import * as settings from './workspace-settings.ts'

/** Turns a driver error into an AppError where it has a meaning; answers it unchanged otherwise. */
export type ErrorTranslator = (error: unknown) => unknown

export interface KyselyStoreOptions {
  db: Kysely<Database>
  dialect: SqlDialect
  translateError: ErrorTranslator
  /** True for the driver's unique-constraint violation. */
  isUniqueViolation: (error: unknown) => boolean
  /** How long a found API key is trusted before it is read again (key-cache.ts); 0: never. */
  keyCacheMs?: number
}

/** The one MetadataStore, over SQLite or PostgreSQL; dialect bits live in sqlite/ and postgres/. */
export class KyselyMetadataStore implements MetadataStore {
  readonly #db: Kysely<Database>
  readonly #keys: KeyCache
  /** Workspaces found so far: they are never deleted, so a yes stays true. */
  readonly #knownWorkspaces = new Set<string>()
  readonly #dialect: SqlDialect
  readonly #translate: ErrorTranslator
  readonly #isUniqueViolation: (error: unknown) => boolean
  readonly webhooks: KyselyWebhookStore

  constructor(options: KyselyStoreOptions) {
    this.#db = options.db
    this.#dialect = options.dialect
    this.#translate = options.translateError
    this.#isUniqueViolation = options.isUniqueViolation
    this.#keys = new KeyCache({ ttlMs: options.keyCacheMs ?? 0 })
    // The webhook tables (migration 0009) are declared in webhook-store.ts, not in Database.
    this.webhooks = new KyselyWebhookStore((work) =>
      this.#run((db) => work(db as unknown as Kysely<WebhookTables>)),
    )
  }

  /**
   * Runs `work`, translating driver errors on the way out: a unique violation becomes
   * `onDuplicate()` when given, lost connections and busy databases database_unavailable.
   */
  async #run<T>(
    work: (db: Kysely<Database>) => Promise<T>,
    onDuplicate?: () => AppError,
  ): Promise<T> {
    try {
      return await work(this.#db)
    } catch (error) {
      if (onDuplicate && this.#isUniqueViolation(error)) throw onDuplicate()
      throw this.#translate(error)
    }
  }

  /**
   * Runs `work` in a transaction and appends the events it answers, last, in the same
   * transaction: the change and its record commit or roll back together.
   */
  #audited<T>(
    audit: AuditContext | undefined,
    work: (trx: Transaction<Database>) => Promise<{ value: T; events: AuditFacts[] }>,
    onDuplicate?: () => AppError,
  ): Promise<T> {
    return this.#run(
      (db) =>
        db.transaction().execute(async (trx) => {
          const { value, events } = await work(trx)
          await writeEvents(trx, this.#dialect, audit, events)
          return value
        }),
      onDuplicate,
    )
  }

  appendEvents(context: AuditContext, events: readonly AuditFacts[]): Promise<void> {
    return this.#run((db) =>
      db.transaction().execute((trx) => writeEvents(trx, this.#dialect, context, events)),
    )
  }

  listEvents(query: AuditQuery): Promise<AuditEvent[]> {
    return this.#run((db) => listEvents(db, query))
  }

  purgeEvents(before: string): Promise<number> {
    return this.#run((db) => purgeEvents(db, before))
  }

  linkGeneration(fileId: string): Promise<number> {
    return this.#run((db) => linkGeneration(db, fileId))
  }

  linkGrantState(keyId: string, fileId: string): Promise<LinkGrantState> {
    return this.#run((db) => linkGrantState(db, keyId, fileId))
  }

  isKeyActive(keyId: string): Promise<boolean> {
    return this.#run((db) => isKeyActive(db, keyId))
  }

  revokeFileLinks(
    workspaceId: string,
    key: string,
    options: Audited = {},
  ): Promise<FileRecord | undefined> {
    return this.#audited(options.audit, async (trx) => {
      const file = await findFile(trx, workspaceId, key)
      if (!file) return { value: undefined, events: [] }
      await bumpLinkGeneration(trx, file.id)
      return { value: file, events: [fileFacts('links.revoke', file)] }
    })
  }

  async migrate(): Promise<void> {
    const { error } = await this.#run(async (db) => {
      const schema = await this.#dialect.migrationSchema(db)
      const migrator = new Migrator({
        db,
        provider: new GranaryMigrations(this.#dialect),
        ...(schema ? { migrationTableSchema: schema } : {}),
      })
      return migrator.migrateToLatest()
    })
    if (error) throw this.#translate(error)
  }

  check(): Promise<void> {
    return this.#run(async (db) => {
      await db.selectFrom('workspaces').select('id').limit(1).execute()
    })
  }

  close(): Promise<void> {
    return this.#db.destroy()
  }

  createWorkspace(workspace: WorkspaceRecord, options: Audited = {}): Promise<void> {
    return this.#audited(
      options.audit,
      async (trx) => {
        await trx.insertInto('workspaces').values(workspaceRow(workspace)).execute()
        return {
          value: undefined,
          events: [facts('workspace.create', { workspaceId: workspace.id })],
        }
      },
      () =>
        new AppError(
          'workspace_exists',
          `Workspace '${workspace.id}' already exists; pick another id.`,
        ),
    )
  }

  getWorkspace(id: string): Promise<WorkspaceRecord | undefined> {
    return this.#run(async (db) => {
      const [row] = await workspaceById(db, id)
      return row && workspaceRecord(row)
    })
  }

  async hasWorkspace(id: string): Promise<boolean> {
    if (this.#knownWorkspaces.has(id)) return true
    const found = (await this.getWorkspace(id)) !== undefined
    if (found && this.#knownWorkspaces.size < 100_000) this.#knownWorkspaces.add(id)
    return found
  }

  listWorkspaces(): Promise<WorkspaceRecord[]> {
    return this.#run(async (db) =>
      (await db.selectFrom('workspaces').selectAll().orderBy('id').execute()).map(workspaceRecord),
    )
  }

  createKey(key: KeyRecord, options: Audited = {}): Promise<void> {
    return this.#audited(options.audit, async (trx) => {
      await trx.insertInto('api_keys').values(keyRow(key)).execute()
      return { value: undefined, events: [facts('key.create', { key: key.id })] }
    })
  }

  findKeyBySecretHash(secretHash: string): Promise<KeyRecord | undefined> {
    return this.#keys.find(secretHash, (hash) =>
      this.#run(async (db) => {
        const [row] = await keyBySecretHash(db, hash)
        return row && keyRecord(row)
      }),
    )
  }

  listKeys(): Promise<KeyRecord[]> {
    return this.#run(async (db) => {
      const rows = await db
        .selectFrom('api_keys')
        .selectAll()
        .orderBy('created_at')
        .orderBy('id')
        .execute()
      return rows.map(keyRecord)
    })
  }

  async revokeKey(id: string, at: string, options: Audited = {}): Promise<void> {
    await this.#audited(options.audit, async (trx) => {
      const result = await trx
        .updateTable('api_keys')
        .set({ revoked_at: at })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) {
        throw new AppError('api_key_not_found', `No active API key '${id}'.`)
      }
      return { value: undefined, events: [facts('key.revoke', { key: id })] }
    })
    // Committed: this process refuses the key from the next request on.
    this.#keys.forget()
  }

  getFile(workspaceId: string, key: string): Promise<FileRecord | undefined> {
    return this.#run((db) => findFile(db, workspaceId, key))
  }

  listFiles(range: ListRange): Promise<FileRecord[]> {
    if (range.limit <= 0) return Promise.resolve([])
    return this.#run(async (db) => (await filePage(db, range)).map(fileRecord))
  }

  /** One recursive statement (folder-entries.ts). */
  listFolderEntries(range: ListRange & { prefixLength: number }): Promise<string[]> {
    if (range.limit <= 0) return Promise.resolve([])
    return this.#run((db) => folderEntries(db, this.#dialect, range))
  }

  getFiles(workspaceId: string, keys: readonly string[]): Promise<FileRecord[]> {
    if (keys.length === 0) return Promise.resolve([])
    return this.#run(async (db) => {
      const rows = await db
        .selectFrom('files')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('key', 'in', [...keys])
        .orderBy('key')
        .execute()
      return rows.map(fileRecord)
    })
  }

  /**
   * A racing first insert of the same key loses with a unique violation and runs again as a
   * replace; racing deletes can make the key vanish again in between, hence a few attempts.
   */
  async putFile(
    file: FileRecord,
    options: { overwrite: boolean; completeUploadId?: string } & Audited,
  ): Promise<PutFileResult> {
    const lock = this.#dialect.locksRows
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db
          .transaction()
          .execute((trx) => putFileIn(trx, file, { ...options, lock, dialect: this.#dialect }))
      } catch (error) {
        if (!this.#isUniqueViolation(error)) throw this.#translate(error)
        if (attempt === PUT_FILE_ATTEMPTS) {
          throw new AppError(
            'database_unavailable',
            `Too many concurrent writes to '${file.key}'; retry shortly.`,
            { cause: error },
          )
        }
      }
    }
  }

  /** The blobs' deletion is queued in the same transaction: a 204 is never a lost promise. */
  deleteFile(
    workspaceId: string,
    key: string,
    options: Audited = {},
  ): Promise<(FileRecord & FreedBlobs) | undefined> {
    return this.#audited(options.audit, async (trx) => {
      const row = await trx
        .deleteFrom('files')
        .where('workspace_id', '=', workspaceId)
        .where('key', '=', key)
        .returningAll()
        .executeTakeFirst()
      if (!row) return { value: undefined, events: [] }
      const versionBlobs = await versions.dropVersionsOf(trx, row.id)
      const freedBlobNames = await releaseBlobs(trx, [row.blob_name, ...versionBlobs])
      const removed = fileRecord(row)
      return { value: { ...removed, freedBlobNames }, events: [fileFacts('file.delete', removed)] }
    })
  }

  listDueDeletions(now: string, limit: number): Promise<string[]> {
    return this.#run(async (db) => {
      const rows = await db
        .selectFrom('pending_deletions')
        .select('blob_name')
        .where('next_attempt_at', '<=', now)
        .orderBy('next_attempt_at')
        .limit(limit)
        .execute()
      return rows.map((row) => row.blob_name)
    })
  }

  finishDeletion(blobName: string): Promise<void> {
    return this.#run(async (db) => {
      await db.deleteFrom('pending_deletions').where('blob_name', '=', blobName).execute()
    })
  }

  postponeDeletion(blobName: string, nextAttemptAt: string): Promise<void> {
    return this.#run(async (db) => {
      await db
        .updateTable('pending_deletions')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), next_attempt_at: nextAttemptAt }))
        .where('blob_name', '=', blobName)
        .execute()
    })
  }

  countPendingDeletions(): Promise<number> {
    return this.#run(async (db) => {
      const row = await db
        .selectFrom('pending_deletions')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .executeTakeFirstOrThrow()
      return Number(row.count)
    })
  }

  isDeletionPending(blobName: string): Promise<boolean> {
    return this.#run(async (db) => {
      const row = await db
        .selectFrom('pending_deletions')
        .select('blob_name')
        .where('blob_name', '=', blobName)
        .executeTakeFirst()
      return row !== undefined
    })
  }

  createUpload(upload: Upload, options: Audited = {}): Promise<void> {
    return this.#audited(options.audit, async (trx) => {
      await trx.insertInto('uploads').values(uploadRow(upload)).execute()
      return { value: undefined, events: [fileFacts('upload.start', upload)] }
    })
  }

  getUpload(id: string): Promise<Upload | undefined> {
    return this.#run(async (db) => {
      const row = await db.selectFrom('uploads').selectAll().where('id', '=', id).executeTakeFirst()
      return row && uploadRecord(row)
    })
  }

  getUploadByBlob(blobName: string): Promise<Upload | undefined> {
    return this.#run(async (db) => {
      const row = await db
        .selectFrom('uploads')
        .selectAll()
        .where('blob_name', '=', blobName)
        .executeTakeFirst()
      return row && uploadRecord(row)
    })
  }

  listOpenUploads(workspaceId: string, key: string): Promise<Upload[]> {
    return this.#run(async (db) => {
      const rows = await db
        .selectFrom('uploads')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('key', '=', key)
        .where('status', 'in', [...OPEN, 'verifying'])
        .orderBy('created_at', 'desc')
        .execute()
      return rows.map(uploadRecord)
    })
  }

  markUploadReceived(id: string, sha256: string | null): Promise<void> {
    return this.#run(async (db) => {
      const result = await db
        .updateTable('uploads')
        .set({ status: 'received', received_sha256: sha256 })
        .where('id', '=', id)
        .where('status', '=', 'pending')
        .executeTakeFirst()
      if (Number(result.numUpdatedRows) === 0) {
        throw new AppError(
          'upload_already_received',
          'The bytes of this upload were already received; confirm it.',
        )
      }
    })
  }

  markUploadFailed(id: string, options: Audited = {}): Promise<void> {
    return this.#audited(options.audit, async (trx) => {
      const row = await trx
        .updateTable('uploads')
        .set({ status: 'failed' })
        .where('id', '=', id)
        .where('status', '!=', 'failed')
        .returningAll()
        .executeTakeFirst()
      return { value: undefined, events: row ? [fileFacts('upload.fail', uploadRecord(row))] : [] }
    })
  }

  closeUpload(id: string, status: 'aborted' | 'expired', options: Audited = {}): Promise<boolean> {
    return this.#audited(options.audit, async (trx) => {
      const row = await trx
        .updateTable('uploads')
        .set({ status })
        .where('id', '=', id)
        .where('status', 'in', OPEN)
        .returningAll()
        .executeTakeFirst()
      if (!row) return { value: false, events: [] }
      const action = status === 'aborted' ? 'upload.abort' : 'upload.expire'
      return { value: true, events: [fileFacts(action, uploadRecord(row))] }
    })
  }

  touchUpload(id: string, expiresAt: string): Promise<void> {
    return this.#run(async (db) => {
      await db
        .updateTable('uploads')
        .set({ expires_at: expiresAt })
        .where('id', '=', id)
        .where('status', 'in', OPEN)
        .execute()
    })
  }

  listWorkspaceUploads(workspaceId: string, limit: number): Promise<Upload[]> {
    return this.#run(async (db) => {
      const rows = await db
        .selectFrom('uploads')
        .selectAll()
        .where('workspace_id', '=', workspaceId)
        .where('status', 'in', OPEN)
        .orderBy('created_at', 'desc')
        .limit(limit)
        .execute()
      return rows.map(uploadRecord)
    })
  }

  isBlobReferenced(blobName: string): Promise<boolean> {
    return this.#run((db) => isReferenced(db, blobName))
  }

  isBlobServable(blobName: string): Promise<boolean> {
    return this.#run((db) => isServable(db, blobName))
  }

  listExpiredUploads(now: string, limit: number): Promise<Upload[]> {
    return this.#run(async (db) => {
      const rows = await db
        .selectFrom('uploads')
        .selectAll()
        .where('status', 'in', OPEN)
        .where('expires_at', '<', now)
        .orderBy('expires_at')
        .limit(limit)
        .execute()
      return rows.map(uploadRecord)
    })
  }

  moveFile(request: MoveRequest): Promise<FileMoveResult> {
    const lock = this.#dialect.locksRows
    return this.#retryingWrite((trx) =>
      moveOneFile(trx, { ...request, lock, dialect: this.#dialect }),
    )
  }

  copyFile(request: MoveRequest & { id: string }): Promise<FileMoveResult> {
    const lock = this.#dialect.locksRows
    return this.#retryingWrite((trx) =>
      moveOneFile(trx, { ...request, copyId: request.id, lock, dialect: this.#dialect }),
    )
  }

  moveFolder(request: MoveRequest): Promise<FolderStepResult> {
    return this.#folder(request, 'move')
  }

  copyFolder(request: MoveRequest): Promise<FolderStepResult> {
    return this.#folder(request, 'copy')
  }

  async #folder(request: MoveRequest, operation: 'move' | 'copy'): Promise<FolderStepResult> {
    const lock = this.#dialect.locksRows
    const result = await this.#retryingWrite((trx) =>
      moveFolderStep(trx, { ...request, operation, lock, dialect: this.#dialect }),
    )
    if (result.count === 0) {
      throw new AppError(
        'file_not_found',
        `No files under '${request.from}' in workspace '${request.workspaceId}'.`,
      )
    }
    return result
  }

  countUnder(workspaceId: string, prefix: string, cap: number): Promise<number> {
    return this.#run((db) => countUnder(db, workspaceId, prefix, cap))
  }

  createJob(job: JobRecord): Promise<void> {
    return this.#run(async (db) => {
      await db.insertInto('jobs').values(jobRow(job)).execute()
    })
  }

  getJob(id: string): Promise<JobRecord | undefined> {
    return this.#run((db) => findJob(db, id))
  }

  async runJobBatch(id: string, options: { limit: number; now: string }): Promise<JobBatchResult> {
    const lock = this.#dialect.locksRows
    try {
      return await this.#retryingWrite((trx) =>
        jobBatchIn(trx, id, { ...options, lock, dialect: this.#dialect }),
      )
    } catch (error) {
      const failed = await this.#run((db) => failJob(db, id, error, options.now))
      if (failed) return { job: failed, freedBlobNames: [] }
      throw error
    }
  }

  listRunningJobs(limit: number): Promise<JobRecord[]> {
    return this.#run(async (db) => {
      const rows = await db
        .selectFrom('jobs')
        .selectAll()
        .where('status', '=', 'running')
        .orderBy('created_at')
        .limit(limit)
        .execute()
      return rows.map(jobRecord)
    })
  }

  /**
   * One transaction; a unique violation (a racing writer created a target key after we looked)
   * runs it again, when the target's file is seen and overwrite decides.
   */
  async #retryingWrite<T>(work: (trx: Transaction<Database>) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#db.transaction().execute(work)
      } catch (error) {
        if (!this.#isUniqueViolation(error)) throw this.#translate(error)
        if (attempt === PUT_FILE_ATTEMPTS) {
          throw new AppError('database_unavailable', 'Too many concurrent writes; retry shortly.', {
            cause: error,
          })
        }
      }
    }
  }

  markUploadVerifying(id: string, sha256: string | null): Promise<boolean> {
    return this.#run((db) => verifications.markUploadVerifying(db, id, sha256))
  }

  claimVerification(now: string, until: string): Promise<Upload | undefined> {
    return this.#run((db) => verifications.claimVerification(db, now, until))
  }

  recordVerification(id: string, verifiedBytes: number, until: string): Promise<void> {
    return this.#run((db) => verifications.recordVerification(db, id, verifiedBytes, until))
  }

  releaseVerification(id: string, at: string): Promise<void> {
    return this.#run((db) => verifications.releaseVerification(db, id, at))
  }

  failVerification(id: string, failure: UploadFailure): Promise<void> {
    return this.#run((db) => verifications.failVerification(db, id, failure))
  }

  getWorkspaceSettings(workspaceId: string): Promise<WorkspaceSettings | undefined> {
    return this.#run((db) => settings.getWorkspaceSettings(db, workspaceId))
  }

  updateWorkspaceSettings(
    workspaceId: string,
    changes: Partial<WorkspaceSettings>,
    options: Audited = {},
  ): Promise<WorkspaceSettings | undefined> {
    return this.#audited(options.audit, async (trx) => {
      const value = await settings.updateWorkspaceSettings(trx, workspaceId, changes)
      return { value, events: value ? [facts('workspace.update', { workspaceId })] : [] }
    })
  }

  getWorkspaceUsage(workspaceId: string): Promise<WorkspaceUsage | undefined> {
    return this.#run((db) => settings.getWorkspaceUsage(db, workspaceId))
  }

  listVersions(workspaceId: string, key: string): Promise<VersionRecord[] | undefined> {
    return this.#run((db) => versions.listVersions(db, workspaceId, key))
  }

  getVersion(
    workspaceId: string,
    key: string,
    versionId: string,
  ): Promise<VersionRecord | undefined> {
    return this.#run((db) => versions.getVersion(db, workspaceId, key, versionId))
  }

  restoreVersion(
    workspaceId: string,
    key: string,
    options: { versionId: string; at: string } & Audited,
  ): Promise<(FreedBlobs & { file: FileRecord }) | undefined> {
    const lock = this.#dialect.locksRows
    return this.#audited(options.audit, async (trx) => {
      const value = await versions.restoreVersion(trx, workspaceId, key, { ...options, lock })
      return { value, events: value ? [fileFacts('file.restore', value.file)] : [] }
    })
  }

  deleteVersion(
    workspaceId: string,
    key: string,
    versionId: string,
    options: Audited = {},
  ): Promise<FreedBlobs | undefined> {
    const lock = this.#dialect.locksRows
    return this.#audited(options.audit, async (trx) => {
      const value = await versions.deleteVersion(trx, workspaceId, key, versionId, lock)
      const event = facts('version.delete', { workspaceId, key, versionId })
      return { value, events: value ? [event] : [] }
    })
  }

  trashFiles(request: TrashRequest): Promise<TrashRecord[]> {
    const lock = this.#dialect.locksRows
    return this.#audited(request.audit, async (trx) => {
      const value = await trash.trashFiles(trx, request, lock)
      return { value, events: value.map((item) => fileFacts('file.delete', item.file)) }
    })
  }

  listTrash(range: TrashRange): Promise<TrashRecord[]> {
    if (range.limit <= 0) return Promise.resolve([])
    return this.#run((db) => trash.listTrash(db, range))
  }

  getTrashItem(workspaceId: string, trashId: string): Promise<TrashRecord | undefined> {
    return this.#run((db) => trash.getTrashItem(db, workspaceId, trashId))
  }

  /** A racing upload creating the key first loses us the insert: that is file_exists too. */
  restoreTrashItem(request: TrashRestoreRequest): Promise<FileRecord> {
    const lock = this.#dialect.locksRows
    return this.#audited(
      request.audit,
      async (trx) => {
        const value = await trash.restoreTrashItem(trx, request, lock)
        return { value, events: [fileFacts('file.restore', value)] }
      },
      () => restoreRaced(request.to ?? 'its key'),
    )
  }

  restoreTrashGroup(
    request: Omit<TrashRestoreRequest, 'trashId' | 'to'> & { groupId: string },
  ): Promise<FileRecord[]> {
    const lock = this.#dialect.locksRows
    return this.#audited(
      request.audit,
      async (trx) => {
        const value = await trash.restoreTrashGroup(trx, request, lock)
        return { value, events: value.map((file) => fileFacts('file.restore', file)) }
      },
      () => restoreRaced('their keys'),
    )
  }

  purgeTrashItem(
    workspaceId: string,
    trashId: string,
    options: Audited = {},
  ): Promise<FreedBlobs | undefined> {
    return this.#audited(options.audit, async (trx) => {
      const value = await trash.purgeTrashItem(trx, workspaceId, trashId)
      const events = value ? [facts('trash.purge', { workspaceId, key: value.key })] : []
      return { value: value && { freedBlobNames: value.freedBlobNames }, events }
    })
  }

  listExpiredTrash(
    now: string,
    limit: number,
  ): Promise<{ workspaceId: string; trashId: string }[]> {
    return this.#run((db) => trash.listExpiredTrash(db, now, limit))
  }
}

/** Uploads whose bytes may still arrive or be confirmed. */
const OPEN = ['pending', 'received']

/** Each lost race means another writer of the key committed, so this bounds a rare loop. */
const PUT_FILE_ATTEMPTS = 10

function restoreRaced(where: string): AppError {
  return new AppError(
    'file_exists',
    `A file was written at ${where} while restoring; send "to" with another key, or "overwrite": true.`,
  )
}
