/** The per-file link generation (migration 0007): read on issue, bumped by revoke-links. */
import type { Kysely, Transaction } from 'kysely'
import type { LinkGrantState } from '../domain/link-grants.ts'
import { reusableQuery } from './reusable-query.ts'
import type { Database } from './schema.ts'

export async function linkGeneration(db: Kysely<Database>, fileId: string): Promise<number> {
  const row = await db
    .selectFrom('link_generations')
    .select('generation')
    .where('file_id', '=', fileId)
    .executeTakeFirst()
  return row ? Number(row.generation) : 0
}

// Every request a download link makes runs it: compiled once.
const grantState = reusableQuery((db, keyId: string, fileId: string) =>
  db
    .selectFrom('api_keys as k')
    .leftJoin('link_generations as g', (join) => join.on('g.file_id', '=', fileId))
    .select(['k.revoked_at', 'g.generation'])
    .where('k.id', '=', keyId),
)

/** One statement, two primary-key probes: the key's row and the file's generation. */
export async function linkGrantState(
  db: Kysely<Database>,
  keyId: string,
  fileId: string,
): Promise<LinkGrantState> {
  const [row] = await grantState(db, keyId, fileId)
  return {
    keyActive: row !== undefined && row.revoked_at === null,
    generation: row?.generation == null ? 0 : Number(row.generation),
  }
}

const keyState = reusableQuery((db, keyId: string) =>
  db.selectFrom('api_keys').select('revoked_at').where('id', '=', keyId),
)

/** Whether the key exists and is not revoked: every local PUT of an upload URL asks. */
export async function isKeyActive(db: Kysely<Database>, keyId: string): Promise<boolean> {
  const [row] = await keyState(db, keyId)
  return row !== undefined && row.revoked_at === null
}

/** Every link signed before this for the file stops working. */
export async function bumpLinkGeneration(
  trx: Transaction<Database>,
  fileId: string,
): Promise<void> {
  await trx
    .insertInto('link_generations')
    .values({ file_id: fileId, generation: 1 })
    .onConflict((conflict) =>
      conflict
        .column('file_id')
        .doUpdateSet((eb) => ({ generation: eb('link_generations.generation', '+', 1) })),
    )
    .execute()
}
