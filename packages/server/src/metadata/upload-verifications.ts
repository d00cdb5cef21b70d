/**
 * The queries behind background verification (domain/upload-verifier.ts): an upload moves
 * open -> verifying at confirm, a process claims it for a while (renewed as it reads), and it
 * ends completed (by the file commit, file-writes.ts) or failed with a code.
 */
import type { Kysely } from 'kysely'
import type { Upload, UploadFailure } from '../domain/ports.ts'
import { uploadRecord } from './rows.ts'
import type { Database } from './schema.ts'

export async function markUploadVerifying(
  db: Kysely<Database>,
  id: string,
  sha256: string | null,
): Promise<boolean> {
  const result = await db
    .updateTable('uploads')
    .set((eb) => ({
      status: 'verifying',
      sha256: sha256 ?? eb.ref('sha256'),
      verified_bytes: 0,
      verify_claimed_until: null,
    }))
    .where('id', '=', id)
    .where('status', 'in', ['pending', 'received'])
    .executeTakeFirst()
  return Number(result.numUpdatedRows) === 1
}

/** Picks a candidate, then takes it only if nobody took it meanwhile (several processes race). */
export async function claimVerification(
  db: Kysely<Database>,
  now: string,
  until: string,
): Promise<Upload | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const candidate = await db
      .selectFrom('uploads')
      .selectAll()
      .where('status', '=', 'verifying')
      .where((eb) =>
        eb.or([eb('verify_claimed_until', 'is', null), eb('verify_claimed_until', '<', now)]),
      )
      .orderBy('created_at')
      .limit(1)
      .executeTakeFirst()
    if (!candidate) return undefined
    const taken = await db
      .updateTable('uploads')
      .set({ verify_claimed_until: until })
      .where('id', '=', candidate.id)
      .where('status', '=', 'verifying')
      .where((eb) =>
        candidate.verify_claimed_until === null
          ? eb('verify_claimed_until', 'is', null)
          : eb('verify_claimed_until', '=', candidate.verify_claimed_until),
      )
      .executeTakeFirst()
    if (Number(taken.numUpdatedRows) === 1) return uploadRecord(candidate)
  }
  return undefined
}

export async function recordVerification(
  db: Kysely<Database>,
  id: string,
  verifiedBytes: number,
  until: string,
): Promise<void> {
  await db
    .updateTable('uploads')
    .set({ verified_bytes: verifiedBytes, verify_claimed_until: until })
    .where('id', '=', id)
    .where('status', '=', 'verifying')
    .execute()
}

export async function releaseVerification(
  db: Kysely<Database>,
  id: string,
  at: string,
): Promise<void> {
  await db
    .updateTable('uploads')
    .set({ verify_claimed_until: at })
    .where('id', '=', id)
    .where('status', '=', 'verifying')
    .execute()
}

/** Records why a verifying upload fails; markUploadFailed then moves it (with its audit event). */
export async function failVerification(
  db: Kysely<Database>,
  id: string,
  failure: UploadFailure,
): Promise<void> {
  await db
    .updateTable('uploads')
    .set({ failure_code: failure.code, failure_message: failure.message })
    .where('id', '=', id)
    .where('status', '=', 'verifying')
    .execute()
}
