import {
  uploadConfirmBody,
  uploadConfirmResponse,
  uploadVerifyingResponse,
  type Validated,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { fromConfirmBody, toFileInfo } from '../../presenters.ts'

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
        response: { 200: uploadConfirmResponse, 202: uploadVerifyingResponse },
      },
    },
    async (request, reply) => {
      const confirmed = await services.largeUploads.confirm(
        request.principal,
        fromConfirmBody(request.body),
      )
      if ('verifyingUploadId' in confirmed) {
        return reply.code(202).send({ status: 'verifying', upload_id: confirmed.verifyingUploadId })
      }
      return 'blobName' in confirmed ? toFileInfo(confirmed) : confirmed
    },
  )
}
