/** Wire types of move, copy and jobs, derived from move-schemas.ts like wire.ts does. */
import type {
  deleteFilesQuery,
  folderCopiedSchema,
  folderDeletedSchema,
  folderMovedSchema,
  jobSchema,
  jobStartedResponse,
  moveBody,
} from './move-schemas.ts'
import type { Wire } from './wire.ts'

/** POST /v1/files/move and /v1/files/copy. */
export type MoveRequest = Wire<typeof moveBody>
export type FolderMoved = Wire<typeof folderMovedSchema>
export type FolderCopied = Wire<typeof folderCopiedSchema>
export type JobStarted = Wire<typeof jobStartedResponse>
/** GET /v1/jobs/{id}. */
export type JobInfo = Wire<typeof jobSchema>
/** DELETE /v1/files with prefix and recursive=true. */
export type FolderDeleted = Wire<typeof folderDeletedSchema>
export type DeleteFilesQuery = Wire<typeof deleteFilesQuery>
