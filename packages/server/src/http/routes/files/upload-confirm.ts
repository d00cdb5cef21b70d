import { uploadConfirmBody, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toFileInfo } from '../../presenters.ts'

/** What a repeat confirm tells a key that may not read files (issue #11). */
const FILE_REFERENCE = {
  type: 'object',
  required: ['id', 'key'],
  additionalProperties: false,
  properties: { id: { type: 'string' }, key: { type: 'string' } },
} as const

export function uploadConfirmRoute(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: Validated<typeof uploadConfirmBody> }>(
    '/v1/files/upload-confirm',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'files.uploadConfirm',
        tags: ['files'],
        summary:
          'Finish a large-file upload: checks the bytes and makes the file visible atomically.',
        body: uploadConfirmBody,
        response: {
          200: {
            description:
              'The FileInfo; confirming again with a key that lacks files:read answers only id and key.',
            anyOf: [{ $ref: 'FileInfo#' }, FILE_REFERENCE],
          },
        },
      },
    },
    async (request) => {
      const confirmed = await services.largeUploads.confirm(request.principal, request.body)
      return 'blobName' in confirmed ? toFileInfo(confirmed) : confirmed
    },
  )
}
