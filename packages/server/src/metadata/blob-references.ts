/**
 * Which rows refer to a blob, and releasing blobs nothing refers to any more. A blob may be named
 * by a file (and its copies), an older version, a trash item or an open upload; its bytes are
 * freed only when none is left.
 *
 * Race-freedom (see domain/lifecycle-ports.ts): a transaction that drops a reference calls
 * `releaseBlobs` after its own delete or update, so the check runs on a fresh statement (READ
 * COMMITTED on PostgreSQL sees every commit before it), and a transaction that adds a reference
 * holds a lock on a row that already refers to the blob, which the dropping transaction's delete
 * or update waits for. SQLite runs one write transaction at a time.
 */
import type { Kysely } from 'kysely'
import { reusableQuery } from './reusable-query.ts'
import type { Database } from './schema.ts'

/** Uploads whose bytes may still arrive, be confirmed or be read back. */
const OPEN_UPLOADS = ['pending', 'received', 'verifying']

/** True when any file, version, trash item or open upload names the blob. */
export async function isReferenced(db: Kysely<Database>, blobName: string): Promise<boolean> {
  const probes: (() => Promise<unknown>)[] = [
    () =>
      db
        .selectFrom('files')
        .select('blob_name')
        .where('blob_name', '=', blobName)
        .limit(1)
        .executeTakeFirst(),
    () =>
      db
        .selectFrom('file_versions')
        .select('blob_name')
        .where('blob_name', '=', blobName)
        .limit(1)
        .executeTakeFirst(),
    () =>
      db
        .selectFrom('trash')
        .select('blob_name')
        .where('blob_name', '=', blobName)
        .limit(1)
        .executeTakeFirst(),
    () =>
      db
        .selectFrom('uploads')
        .select('blob_name')
        .where('blob_name', '=', blobName)
        .where('status', 'in', OPEN_UPLOADS)
        .limit(1)
        .executeTakeFirst(),
  ]
  for (const probe of probes) {
    if ((await probe()) !== undefined) return true
  }
  return false
}

/**
 * True while a live file, or an older version of a live file, names the blob: what its download
 * links may serve. A trashed file's bytes stay for a restore, but its links stop.
 */
export async function isServable(db: Kysely<Database>, blobName: string): Promise<boolean> {
  if ((await currentFileOf(db, blobName)).length > 0) return true
  return (await liveVersionOf(db, blobName)).length > 0
}

// Every request a download link makes runs these: compiled once.
const currentFileOf = reusableQuery((db, blobName: string) =>
  db.selectFrom('files').select('blob_name').where('blob_name', '=', blobName).limit(1),
)

const liveVersionOf = reusableQuery((db, blobName: string) =>
  db
    .selectFrom('file_versions as v')
    .innerJoin('files as f', 'f.id', 'v.file_id')
    .select('v.blob_name')
    .where('v.blob_name', '=', blobName)
    .limit(1),
)

/**
 * Of these blobs whose references the caller just dropped, queues those nothing refers to any
 * more for deletion and answers them. Run inside the dropping transaction, after its writes.
 */
export function releaseBlobs(
  trx: Kysely<Database>,
  blobNames: Iterable<string>,
): Promise<string[]> {
  return queueUnreferenced(trx, [...blobNames], new Date().toISOString())
}

/** True when a file, version, trash item or open upload still refers to the blob. */
export const blobInUse = isReferenced

/** releaseBlobs with the caller's time (moves and copies pass theirs). */
export async function queueUnreferenced(
  trx: Kysely<Database>,
  blobNames: readonly string[],
  now: string,
): Promise<string[]> {
  const freed: string[] = []
  for (const blobName of new Set(blobNames)) {
    if (await isReferenced(trx, blobName)) continue
    await trx
      .insertInto('pending_deletions')
      .values({ blob_name: blobName, queued_at: now, attempts: 0, next_attempt_at: now })
      .onConflict((conflict) => conflict.column('blob_name').doNothing())
      .execute()
    freed.push(blobName)
  }
  return freed
}
