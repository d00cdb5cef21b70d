/**
 * Links that can be taken back. A download link carries its grant: the API key that asked for
 * it and the file's link generation at that moment, both covered by its signature. Revoking the
 * key, or the file's links (`POST /v1/files/revoke-links` bumps the generation), withdraws the
 * grant; `assertLinkGranted` checks it with one indexed lookup on every request a link makes.
 * A direct presigned S3 URL cannot carry this check: it works until it expires.
 */
import { AppError } from './errors.ts'

/** What a link is granted under; signed into the link. */
export interface LinkGrant {
  /** The API key that asked for the link. */
  readonly issuedBy: string
  /** The linked file's stable id. */
  readonly fileId: string
  /** The file's link generation when the link was signed. */
  readonly generation: number
}

/** What the metadata store answers about a grant, in one statement. */
export interface LinkGrantState {
  /** False when the key is revoked or unknown. */
  keyActive: boolean
  /** The file's current link generation (0 until its links are first revoked). */
  generation: number
}

/** The metadata store's part. */
export interface LinkGrants {
  /** The file's current link generation, to sign into a new link. */
  linkGeneration(fileId: string): Promise<number>
  /** The issuing key's state and the file's generation, in one indexed lookup. */
  linkGrantState(keyId: string, fileId: string): Promise<LinkGrantState>
  /** False when the key is revoked or unknown. */
  isKeyActive(keyId: string): Promise<boolean>
}

/** Throws link_revoked when the grant was withdrawn since the link was signed. */
export async function assertLinkGranted(store: LinkGrants, grant: LinkGrant): Promise<void> {
  const state = await store.linkGrantState(grant.issuedBy, grant.fileId)
  if (!state.keyActive) {
    throw new AppError(
      'link_revoked',
      'This link was revoked with the API key that asked for it; ask for a new link.',
    )
  }
  if (state.generation !== grant.generation) {
    throw new AppError(
      'link_revoked',
      "This file's links were revoked; ask its owner for a new link.",
    )
  }
}

/**
 * Throws link_revoked when the key that asked for an upload URL was revoked since: its PUTs
 * (and parts) are refused like its download links. Uploads older than the issuing-key column
 * have none and are let through.
 */
export async function assertUploadGranted(
  store: LinkGrants,
  upload: { issuedBy?: string | null },
): Promise<void> {
  if (!upload.issuedBy || (await store.isKeyActive(upload.issuedBy))) return
  throw new AppError(
    'link_revoked',
    'This upload URL was revoked with the API key that asked for it; start a new upload.',
  )
}

/** The grant of a link `issuedBy` asks for now. */
export async function grantFor(
  store: LinkGrants,
  issuedBy: string,
  fileId: string,
): Promise<LinkGrant> {
  return { issuedBy, fileId, generation: await store.linkGeneration(fileId) }
}
