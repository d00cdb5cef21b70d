/**
 * Wire types, each derived from its JSON Schema in schemas.ts (type-only: `FromSchema` leaves no
 * runtime code). Request fields are snake_case (the seed's contract), except the seed's own
 * camelCase answers of the large-file flow (`uploadUrl`, `fileKey`).
 *
 * Requests come in two forms: `XRequest`/`XQuery` is what a client sends (fields with a default
 * may be left out); `Validated<typeof schema>` is what a route receives after validation filled
 * the defaults in.
 */
import type { FromSchema } from 'json-schema-to-ts'
import type {
  apiKeySchema,
  createdApiKeySchema,
  createKeyBody,
  createWorkspaceBody,
  downloadQuery,
  downloadResponse,
  errorSchema,
  fileInfoSchema,
  fileLocatorQuery,
  fileReferenceSchema,
  gcReportSchema,
  keyListResponse,
  listFilesQuery,
  listFilesResponse,
  meSchema,
  multipartUploadResponse,
  scrubRunSchema,
  scrubStartBody,
  signedPartUrlSchema,
  signPartsBody,
  singleUploadUrlResponse,
  storageCorsBody,
  storageStatusSchema,
  uploadConfirmBody,
  uploadFormQuery,
  uploadListResponse,
  uploadLocatorQuery,
  uploadPartSchema,
  uploadSessionSchema,
  uploadUrlBody,
  uploadVerifyingResponse,
  workspaceListResponse,
  workspaceSchema,
} from './schemas.ts'

export type { Scope } from './scopes.ts'
export { SCOPES } from './scopes.ts'

/** The schemas that others point at with `$ref` (registered once with the server). */
type References = [
  typeof fileInfoSchema,
  typeof workspaceSchema,
  typeof apiKeySchema,
  typeof uploadSessionSchema,
]

/** What a route receives: validated, with every default filled in. */
export type Validated<Schema> = FromSchema<Schema & object, { references: References }>

/** What a client sends or receives: fields with a default may be left out. */
export type Wire<Schema> = FromSchema<
  Schema & object,
  { references: References; keepDefaultedPropertiesOptional: true }
>

export type FileInfo = Wire<typeof fileInfoSchema>
export type ListFilesQuery = Wire<typeof listFilesQuery>
export type ListFilesResponse = Wire<typeof listFilesResponse>
export type FileLocator = Wire<typeof fileLocatorQuery>
export type DownloadQuery = Wire<typeof downloadQuery>
export type DownloadUrlResponse = Wire<typeof downloadResponse>
export type UploadFormQuery = Wire<typeof uploadFormQuery>

export type UploadUrlRequest = Wire<typeof uploadUrlBody>
/** The seed's answer: one PUT URL. */
export type UploadUrlResponse = Wire<typeof singleUploadUrlResponse>
/** A multipart session: sign part URLs with POST /v1/files/uploads/{uploadId}/parts. */
export type MultipartUploadResponse = Wire<typeof multipartUploadResponse>
export type UploadConfirmRequest = Wire<typeof uploadConfirmBody>
/** A confirm answered 202: the server verifies the bytes in the background. */
export type UploadVerifying = Wire<typeof uploadVerifyingResponse>
/** What a repeat confirm tells a key that may not read files. */
export type FileReference = Wire<typeof fileReferenceSchema>

export type UploadPart = Wire<typeof uploadPartSchema>
export type UploadSession = Wire<typeof uploadSessionSchema>
export type UploadLocatorQuery = Wire<typeof uploadLocatorQuery>
export type UploadListResponse = Wire<typeof uploadListResponse>
export type SignPartsRequest = Wire<typeof signPartsBody>
export type SignedPartUrl = Wire<typeof signedPartUrlSchema>

export type Workspace = Wire<typeof workspaceSchema>
export type WorkspaceListResponse = Wire<typeof workspaceListResponse>
export type CreateWorkspaceRequest = Wire<typeof createWorkspaceBody>
export type ApiKeyInfo = Wire<typeof apiKeySchema>
export type CreatedApiKey = Wire<typeof createdApiKeySchema>
export type KeyListResponse = Wire<typeof keyListResponse>
export type CreateKeyRequest = Wire<typeof createKeyBody>
/** GET /v1/me: the calling key and the workspaces it may use. */
export type MeResponse = Wire<typeof meSchema>

export type StorageStatus = Wire<typeof storageStatusSchema>
export type StorageCorsRequest = Wire<typeof storageCorsBody>
export type GcReport = Wire<typeof gcReportSchema>
export type ScrubRequest = Wire<typeof scrubStartBody>
export type ScrubRun = Wire<typeof scrubRunSchema>

export type ErrorBody = Wire<typeof errorSchema>
