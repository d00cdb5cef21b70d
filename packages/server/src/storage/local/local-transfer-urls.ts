import type {
  DownloadUrlRequest,
  PartUrlRequest,
  SignedUrl,
  TransferUrls,
  UploadUrlRequestForBlob,
} from '../../domain/ports.ts'
import { downloadPath, partPath, uploadPath } from '../../domain/transfer-endpoints.ts'
import {
  downloadSignatureParts,
  partSignatureParts,
  uploadSignatureParts,
} from './local-signatures.ts'
import type { UrlSigner } from './url-signer.ts'

/** URLs to Granary's own signed endpoints (paths from domain/transfer-endpoints.ts). */
export class LocalTransferUrls implements TransferUrls {
  readonly #publicUrl: string
  readonly #signer: UrlSigner

  constructor(publicUrl: string, signer: UrlSigner) {
    this.#publicUrl = publicUrl.replace(/\/+$/, '')
    this.#signer = signer
  }

  async download(request: DownloadUrlRequest): Promise<SignedUrl> {
    const { grant } = request
    // Every URL Granary serves must be revocable (link-grants.ts).
    if (!grant) throw new Error('A local download URL needs the grant it is issued under.')
    const expires = this.#signer.expiryFor(request.expiresIn)
    const query = new URLSearchParams({
      expires: String(expires),
      disposition: request.disposition,
      type: request.contentType,
      kid: grant.issuedBy,
      fid: grant.fileId,
      gen: String(grant.generation),
      signature: this.#signer.sign(downloadSignatureParts({ ...request, grant, expires })),
    })
    return {
      url: `${this.#publicUrl}${downloadPath(request.blobName)}?${query}`,
      expiresAt: new Date(expires * 1000),
    }
  }

  async upload(
    request: UploadUrlRequestForBlob,
  ): Promise<SignedUrl & { headers: Record<string, string> }> {
    const expires = this.#signer.expiryFor(request.expiresIn)
    const query = new URLSearchParams({
      size: String(request.size),
      expires: String(expires),
      signature: this.#signer.sign(uploadSignatureParts(request.uploadId, request.size, expires)),
    })
    return {
      url: `${this.#publicUrl}${uploadPath(request.uploadId)}?${query}`,
      expiresAt: new Date(expires * 1000),
      headers: { 'Content-Type': request.contentType },
    }
  }

  async uploadPart(
    request: PartUrlRequest,
  ): Promise<SignedUrl & { headers: Record<string, string> }> {
    const expires = this.#signer.expiryFor(request.expiresIn)
    const signature = this.#signer.sign(
      partSignatureParts(request.uploadId, request.partNumber, request.size, expires),
    )
    const query = new URLSearchParams({
      size: String(request.size),
      expires: String(expires),
      signature,
    })
    return {
      url: `${this.#publicUrl}${partPath(request.uploadId, request.partNumber)}?${query}`,
      expiresAt: new Date(expires * 1000),
      headers: {},
    }
  }
}
