import type { Readable } from 'node:stream'
import { AppError } from '../../domain/errors.ts'
import { nameOf } from '../../domain/keys.ts'
import type { LargeUploadService } from '../../domain/large-upload-service.ts'
import { assertLinkGranted } from '../../domain/link-grants.ts'
import type { MultipartService } from '../../domain/multipart-service.ts'
import { openBlob } from '../../domain/open-blob.ts'
import type { BlobStore, MetadataStore, StoredPart } from '../../domain/ports.ts'
import type {
  SignedDownload,
  SignedDownloadRequest,
  SignedPut,
  TransferEndpoints,
} from '../../domain/transfer-endpoints.ts'
import { verifyDownload, verifyPart, verifyUpload } from './local-signatures.ts'
import type { UrlSigner } from './url-signer.ts'

export interface LocalTransferDeps {
  signer: UrlSigner
  blobs: BlobStore
  metadata: MetadataStore
  largeUploads: LargeUploadService
  multipart: MultipartService
}

/** The local backend's signed endpoints: every call checks the URL's signature first. */
export class LocalTransferEndpoints implements TransferEndpoints {
  readonly #deps: LocalTransferDeps

  constructor(deps: LocalTransferDeps) {
    this.#deps = deps
  }

  async openDownload(
    request: SignedDownloadRequest,
    rangeHeader?: string,
  ): Promise<SignedDownload> {
    verifyDownload(this.#deps.signer, request)
    await assertLinkGranted(this.#deps.metadata, request.grant)
    // A deleted file's bytes may outlive it (in the trash, or while their deletion is retried);
    // its links not: only a live file's current or older versions are served.
    if (!(await this.#deps.metadata.isBlobServable(request.blobName))) {
      throw new AppError('file_not_found', 'The file no longer exists.')
    }
    const opened = await openBlob(this.#deps.blobs, request.blobName, rangeHeader)
    return {
      ...opened,
      filename: nameOf(request.blobName),
      contentType: request.contentType,
      disposition: request.disposition,
    }
  }

  async receiveUpload(
    request: SignedPut & { uploadId: string },
    body: Readable,
    contentType: string | undefined,
  ): Promise<void> {
    await this.#deps.largeUploads.receive(
      verifyUpload(this.#deps.signer, request),
      body,
      contentType,
    )
  }

  async receivePart(
    request: SignedPut & { uploadId: string; partNumber: number },
    body: Readable,
  ): Promise<StoredPart> {
    return this.#deps.multipart.receivePart(verifyPart(this.#deps.signer, request), body)
  }
}
