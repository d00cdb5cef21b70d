/**
 * upload-confirm, waiting out a background verification: the server answers a large object's
 * confirm (S3) with 202 `verifying` and reads the bytes back; this polls the upload with backoff
 * until it is no longer verifying, then confirms again, which answers the file (or the error the
 * verification failed with, e.g. checksum_mismatch).
 */
import type { FileInfo, UploadSession, UploadVerifying } from '@granary/protocol'
import { sleep } from './retry.ts'
import type { Transport } from './transport.ts'

export interface ConfirmBody {
  workspace_id: string
  file_key: string
  size: number
  upload_id?: string | undefined
  [field: string]: unknown
}

/** First poll after this long, then 1.5x longer each time, up to the maximum. */
const FIRST_POLL_MS = 200
const MAX_POLL_MS = 5_000

export async function confirmUpload(
  transport: Transport,
  json: ConfirmBody,
  signal?: AbortSignal,
): Promise<FileInfo> {
  const answer = await transport.json<FileInfo | UploadVerifying>(
    'POST',
    '/v1/files/upload-confirm',
    { json, signal },
  )
  if (!isVerifying(answer)) return answer
  await untilVerified(transport, answer.upload_id, json.workspace_id, signal)
  return transport.json('POST', '/v1/files/upload-confirm', {
    json: { ...json, upload_id: answer.upload_id },
    signal,
  })
}

function isVerifying(answer: FileInfo | UploadVerifying): answer is UploadVerifying {
  return (answer as UploadVerifying).status === 'verifying'
}

async function untilVerified(
  transport: Transport,
  uploadId: string,
  workspaceId: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const path = `/v1/files/uploads/${encodeURIComponent(uploadId)}`
  for (let delay = FIRST_POLL_MS; ; delay = Math.min(MAX_POLL_MS, delay * 1.5)) {
    await sleep(delay, signal)
    const upload = await transport.json<UploadSession>('GET', path, {
      query: { workspace_id: workspaceId },
      signal,
    })
    if (upload.status !== 'verifying') return
  }
}
