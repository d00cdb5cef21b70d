/**
 * Granary links: `<public url>/v1/links/<token>/<key>`. The signature lives in the path, so the
 * URL ends in the file's name and a tool that appends `.bai` to it still sends a valid link
 * (index-siblings.ts says which names it may then ask for). The token is
 * `<workspace>.<version>.<expires>.<a|i>.<issuer>.<generation>.<signature>`: the workspace, a
 * tag of the linked version's blob, the expiry (Unix seconds), the disposition, the API key that
 * asked for it, the file's link generation (link-grants.ts: revoking the key or the file's links
 * stops the link), and an HMAC over all of these and the data file's key.
 */
import { createHash } from 'node:crypto'
import { AppError } from '../errors.ts'
import type { Disposition } from '../serving-policy.ts'
import { dataKeysServing } from './index-siblings.ts'

/** What signs and checks links (the server's UrlSigner). */
export interface LinkSigner {
  /** The expiry (Unix seconds) of a link signed now and valid for `expiresIn` seconds. */
  expiryFor(expiresIn: number): number
  sign(parts: readonly string[]): string
  /** Throws invalid_signature or url_expired. */
  verify(parts: readonly string[], signature: string, expiresAtSeconds: number): void
}

export const LINK_PREFIX = '/v1/links/'

/** What a link grants: the data file's version, and the name the request asked for. */
export interface LinkTerms {
  readonly workspaceId: string
  /** The linked data file. */
  readonly key: string
  /** versionTag() of the blob it named when signed. */
  readonly version: string
  readonly expires: number
  readonly disposition: Disposition
  /** The API key the link was issued to. */
  readonly issuedBy: string
  /** The data file's link generation when signed (link-grants.ts). */
  readonly generation: number
}

export interface LinkRequest extends LinkTerms {
  /** The key asked for: the data file or one of its index siblings. */
  readonly requested: string
}

/** A short, stable tag of a blob name: a link serves only the version it was signed for. */
export function versionTag(blobName: string): string {
  return createHash('sha256').update(blobName).digest('base64url').slice(0, 16)
}

export function linkPath(terms: LinkTerms, signer: LinkSigner): string {
  const d = terms.disposition === 'inline' ? 'i' : 'a'
  const { workspaceId, version, expires, issuedBy, generation } = terms
  const signature = signer.sign(signed(terms))
  const token = [workspaceId, version, expires, d, issuedBy, generation, signature].join('.')
  return `${LINK_PREFIX}${token}/${terms.key.split('/').map(encodeURIComponent).join('/')}`
}

/**
 * Checks a link's path (decoded, after `/v1/links/`): its signature for the data file the asked
 * name belongs to, and its expiry. Malformed or forged -> invalid_signature; past expiry ->
 * url_expired. Names that are neither the file nor its index siblings never verify.
 */
export function verifyLinkPath(path: string, signer: LinkSigner): LinkRequest {
  const slash = path.indexOf('/')
  const fields = path.slice(0, slash).split('.')
  const requested = path.slice(slash + 1)
  const [workspaceId, version, expires, d, issuedBy, generation, signature] = fields
  if (slash < 0 || fields.length !== 7 || !signature || !requested || !issuedBy) throw forged()
  if (!workspaceId || !version || (d !== 'a' && d !== 'i')) throw forged()
  if (!/^\d{1,15}$/.test(generation ?? '')) throw forged()
  const base = {
    workspaceId,
    version,
    expires: Number(expires),
    issuedBy,
    generation: Number(generation),
  }
  const disposition: Disposition = d === 'i' ? 'inline' : 'attachment'
  for (const key of dataKeysServing(requested)) {
    const terms = { ...base, key, disposition }
    if (matches(signer, terms, signature)) return { ...terms, requested }
  }
  throw forged()
}

/** The signer compares in constant time; a wrong signature means "try the next candidate". */
function matches(signer: LinkSigner, terms: LinkTerms, signature: string): boolean {
  try {
    signer.verify(signed(terms), signature, terms.expires)
    return true
  } catch (error) {
    if (error instanceof AppError && error.code === 'invalid_signature') return false
    throw error
  }
}

function signed(terms: LinkTerms): string[] {
  const { workspaceId, key, version, expires, disposition, issuedBy, generation } = terms
  return [
    'LINK',
    workspaceId,
    key,
    version,
    String(expires),
    disposition,
    issuedBy,
    String(generation),
  ]
}

function forged(): AppError {
  return new AppError(
    'invalid_signature',
    'The link is not valid for this name: a Granary link serves its file and that file’s indexes (x.bam.bai, x.vcf.gz.tbi, ...) only; ask Granary for a new link.',
  )
}
