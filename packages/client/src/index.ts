export type {
  ApiKeyInfo,
  CreatedApiKey,
  CreatedWebhook,
  DownloadUrlResponse,
  ErrorCode,
  FileHeaderResponse,
  FileInfo,
  ListFilesResponse,
  MeResponse,
  MultipartUploadResponse,
  Scope,
  ScrubRequest,
  ScrubRun,
  SignedPartUrl,
  StorageStatus,
  UploadPart,
  UploadSession,
  UploadUrlResponse,
  WebhookDelivery,
  WebhookEvent,
  WebhookInfo,
  Workspace,
} from '@granary/protocol'
export { ERROR_CODES, GRANARY_VERSION, SCOPES, WEBHOOK_EVENTS } from '@granary/protocol'
export type { AuditEvent, AuditPage, AuditQueryOptions, RevokedLinks } from './audit.ts'
export { ApiError, type ApiErrorCode, NetworkError } from './errors.ts'
export type { MoveOptions } from './file-lifecycle.ts'
export type * from './file-options.ts'
export { Files, LARGE_THRESHOLD_DEFAULT, MULTIPART_THRESHOLD_DEFAULT } from './files.ts'
export type { QueryOptions, QueryRecord } from './genomic-query.ts'
export { Granary, type GranaryOptions } from './granary.ts'
export { Jobs, type JobWaitOptions } from './jobs.ts'
export { type CreateKeyOptions, Keys } from './keys.ts'
export type * from './lifecycle-wire.ts'
export { Storage } from './storage.ts'
export type { BusyRetry, FetchLike } from './transport.ts'
export { Trash, type TrashListOptions, type TrashRestoreOptions } from './trash.ts'
export { type GcResult, Uploads } from './upload-sessions.ts'
export type { UploadSource } from './upload-source.ts'
export { type CreateWebhookOptions, Webhooks } from './webhooks.ts'
export {
  type CreateWorkspaceOptions,
  type WorkspaceSettingsUpdate,
  Workspaces,
} from './workspaces.ts'
