import type {
  DownloadUrlRequest,
  PartUrlRequest,
  SignedUrl,
  TransferUrls,
  UploadUrlRequestForBlob,
} from '../../domain/ports.ts'
import {
  downloadSignatureParts,
  partSignatureParts,
  uploadSignatureParts,
} from '../../domain/signed-transfers.ts'
import type { UrlSigner } from '../../domain/url-signer.ts'

/** URLs to Granary's own signed endpoints (`/v1/blobs/...`, `/v1/uploads/.../content`). */
export class LocalTransferUrls implements TransferUrls {
  readonly #publicUrl: string
  readonly #signer: UrlSigner

  constructor(publicUrl: string, signer: UrlSigner) {
    this.#publicUrl = publicUrl.replace(/\/+$/, '')
    this.#signer = signer
  }

  async download(request: DownloadUrlRequest): Promise<SignedUrl> {
    const expires = expiryFor(request.expiresIn)
    const grant = { ...request, expires }
    const query = new URLSearchParams({
      expires: String(expires),
      disposition: request.disposition,
      type: request.contentType,
      signature: this.#signer.sign(downloadSignatureParts(grant)),
    })
    // Each segment is percent-encoded, so '#', '?', '%' and '+' in keys survive the trip.
    const path = request.blobName.split('/').map(encodeURIComponent).join('/')
    return {
      url: `${this.#publicUrl}/v1/blobs/${path}?${query}`,
      expiresAt: new Date(expires * 1000),
    }
  }

  async upload(
    request: UploadUrlRequestForBlob,
  ): Promise<SignedUrl & { headers: Record<string, string> }> {
    const expires = expiryFor(request.expiresIn)
    const query = new URLSearchParams({
      size: String(request.size),
      expires: String(expires),
      signature: this.#signer.sign(uploadSignatureParts(request.uploadId, request.size, expires)),
    })
    return {
      url: `${this.#publicUrl}/v1/uploads/${encodeURIComponent(request.uploadId)}/content?${query}`,
      expiresAt: new Date(expires * 1000),
      headers: { 'Content-Type': request.contentType },
    }
  }

  async uploadPart(
    request: PartUrlRequest,
  ): Promise<SignedUrl & { headers: Record<string, string> }> {
    const expires = expiryFor(request.expiresIn)
    const signature = this.#signer.sign(
      partSignatureParts(request.uploadId, request.partNumber, request.size, expires),
    )
    const query = new URLSearchParams({
      size: String(request.size),
      expires: String(expires),
      signature,
    })
    const id = encodeURIComponent(request.uploadId)
    return {
      url: `${this.#publicUrl}/v1/uploads/${id}/parts/${request.partNumber}?${query}`,
      expiresAt: new Date(expires * 1000),
      headers: {},
    }
  }
}

function expiryFor(expiresIn: number): number {
  return Math.floor(Date.now() / 1000) + expiresIn
}
