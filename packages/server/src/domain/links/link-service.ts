/**
 * Granary links (link-tokens.ts): issuing them, and answering them. On a backend whose bytes
 * Granary serves (local) a link streams the file or one of its indexes; on S3 it answers a
 * redirect to a presigned URL valid for a minute, so the bytes still go straight from the bucket.
 */
import { AppError } from '../errors.ts'
import { type OpenedBlob, openBlob } from '../open-blob.ts'
import type { BlobStore, FileRecord, MetadataStore, SignedUrl, TransferUrls } from '../ports.ts'
import { type Disposition, type Serving, servingFor } from '../serving-policy.ts'
import {
  type LinkRequest,
  type LinkSigner,
  linkPath,
  verifyLinkPath,
  versionTag,
} from './link-tokens.ts'

/** A redirect's presigned URL lives this long: enough to start reading, useless if leaked later. */
export const REDIRECT_EXPIRES_IN = 60

export interface LinkServiceDeps {
  readonly publicUrl: string
  readonly signer: LinkSigner
  readonly metadata: MetadataStore
  readonly blobs: BlobStore
  readonly urls: TransferUrls
  /** 'stream': Granary serves the bytes (local); 'redirect': to the store's own URL (S3). */
  readonly serve: 'stream' | 'redirect'
  /** Links are what the download call answers unless it asks otherwise. */
  readonly byDefault: boolean
  /**
   * Refuses a link whose grant was withdrawn since it was signed (its key revoked, the file's
   * links revoked); throws the refusal. Called on every request, after the signature is checked.
   */
  readonly checkRevocation: (link: LinkRequest, file: FileRecord) => Promise<void>
}

export interface LinkOptions {
  expiresIn: number
  disposition: Disposition
  /** The API key asking. */
  issuedBy: string
  /** The file's link generation now (link-grants.ts). */
  generation: number
}

/** What a link request answers: bytes (local) or where to get them (S3). */
export type LinkAnswer =
  | ({ kind: 'bytes'; filename: string } & Serving & OpenedBlob)
  | { kind: 'redirect'; location: string }

export class LinkService {
  readonly #deps: LinkServiceDeps

  constructor(deps: LinkServiceDeps) {
    this.#deps = deps
  }

  get byDefault(): boolean {
    return this.#deps.byDefault
  }

  /** A link to the file's current version (callers check the caller may read it). */
  issue(file: FileRecord, options: LinkOptions): SignedUrl {
    const expires = this.#deps.signer.expiryFor(options.expiresIn)
    const terms = {
      workspaceId: file.workspaceId,
      key: file.key,
      version: versionTag(file.blobName),
      expires,
      disposition: options.disposition,
      issuedBy: options.issuedBy,
      generation: options.generation,
    }
    const url = `${this.#deps.publicUrl.replace(/\/+$/, '')}${linkPath(terms, this.#deps.signer)}`
    return { url, expiresAt: new Date(expires * 1000) }
  }

  /** Answers a link's path (after `/v1/links/`, decoded): the file, one of its indexes, or 404. */
  async open(path: string, rangeHeader: string | undefined): Promise<LinkAnswer> {
    const { link, file } = await this.#authorize(path)
    const target =
      link.requested === link.key
        ? file
        : await this.#deps.metadata.getFile(link.workspaceId, link.requested)
    if (!target) throw notFound(`No '${link.requested}' beside '${link.key}'.`)
    const serving = servingFor(target.contentType, link.disposition)
    if (this.#deps.serve === 'redirect') {
      const signed = await this.#deps.urls.download({
        blobName: target.blobName,
        filename: target.name,
        ...serving,
        expiresIn: REDIRECT_EXPIRES_IN,
      })
      return { kind: 'redirect', location: signed.url }
    }
    const opened = await openBlob(this.#deps.blobs, target.blobName, rangeHeader)
    return { kind: 'bytes', filename: target.name, ...serving, ...opened }
  }

  /**
   * Every check a link passes before anything is served, in one place: its signature and expiry,
   * that the file is still the version it names, and that the grant was not revoked.
   */
  async #authorize(path: string): Promise<{ link: LinkRequest; file: FileRecord }> {
    const link = verifyLinkPath(path, this.#deps.signer)
    const file = await this.#deps.metadata.getFile(link.workspaceId, link.key)
    // A deleted or replaced file's links stop: a link names the bytes it was made for.
    if (!file || versionTag(file.blobName) !== link.version) {
      throw notFound('The linked file was deleted or replaced; ask Granary for a new link.')
    }
    await this.#deps.checkRevocation(link, file)
    return { link, file }
  }
}

function notFound(message: string): AppError {
  return new AppError('file_not_found', message)
}
