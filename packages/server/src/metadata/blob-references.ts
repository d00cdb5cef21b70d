/**
 * Freeing a blob only when nothing refers to it any more. Copies share blob names, so removing
 * or replacing one file must not free bytes another file still reads. The check runs inside the
 * transaction that dropped the reference: a copy of the same file locks the source row first
 * (PostgreSQL) or runs before or after as a whole (SQLite), so it is either seen here or copies
 * what is current after this commit.
 */
import type { Transaction } from 'kysely'
import type { Database } from './schema.ts'

/** True when a file still refers to the blob. */
export async function blobInUse(trx: Transaction<Database>, blobName: string): Promise<boolean> {
  const row = await trx
    .selectFrom('files')
    .select('id')
    .where('blob_name', '=', blobName)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}

/**
 * Queues for deletion each of these blobs that nothing refers to any more; answers those queued.
 * Written in the caller's transaction, so a committed removal never loses its deletion.
 */
export async function queueUnreferenced(
  trx: Transaction<Database>,
  blobNames: readonly string[],
  now: string,
): Promise<string[]> {
  const freed: string[] = []
  for (const blobName of new Set(blobNames)) {
    if (await blobInUse(trx, blobName)) continue
    await trx
      .insertInto('pending_deletions')
      .values({ blob_name: blobName, queued_at: now, attempts: 0, next_attempt_at: now })
      .onConflict((conflict) => conflict.column('blob_name').doNothing())
      .execute()
    freed.push(blobName)
  }
  return freed
}
