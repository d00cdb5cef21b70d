/**
 * What each of the local backend's signed URLs covers, and the checks that turn a URL a client
 * came back with into a grant. This is the only module that makes an UploadGrant or a PartGrant.
 */
import type {
  PartGrant,
  SignedDownloadRequest,
  SignedPut,
  UploadGrant,
} from '../../domain/transfer-endpoints.ts'
import type { UrlSigner } from './url-signer.ts'

export type DownloadTerms = Omit<SignedDownloadRequest, 'signature'>

export function downloadSignatureParts(terms: DownloadTerms): string[] {
  const { blobName, expires, disposition, contentType, grant } = terms
  return [
    'GET',
    blobName,
    String(expires),
    disposition,
    contentType,
    grant.issuedBy,
    grant.fileId,
    String(grant.generation),
  ]
}

export function uploadSignatureParts(uploadId: string, size: number, expires: number): string[] {
  return ['PUT', uploadId, String(size), String(expires)]
}

export function partSignatureParts(
  uploadId: string,
  partNumber: number,
  size: number,
  expires: number,
): string[] {
  return ['PUT-PART', uploadId, String(partNumber), String(size), String(expires)]
}

export function verifyDownload(signer: UrlSigner, request: SignedDownloadRequest): void {
  signer.verify(downloadSignatureParts(request), request.signature, request.expires)
}

export function verifyUpload(
  signer: UrlSigner,
  request: SignedPut & { uploadId: string },
): UploadGrant {
  const { uploadId, size, expires, signature } = request
  signer.verify(uploadSignatureParts(uploadId, size, expires), signature, expires)
  return { uploadId, size } as UploadGrant
}

export function verifyPart(
  signer: UrlSigner,
  request: SignedPut & { uploadId: string; partNumber: number },
): PartGrant {
  const { uploadId, partNumber, size, expires, signature } = request
  signer.verify(partSignatureParts(uploadId, partNumber, size, expires), signature, expires)
  return { uploadId, partNumber, size } as PartGrant
}
