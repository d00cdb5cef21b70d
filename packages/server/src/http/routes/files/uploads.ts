import {
  idParams,
  signPartsBody,
  signPartsResponse,
  uploadListResponse,
  uploadLocatorQuery,
  type Validated,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { toSignedPartUrl, toUploadSession } from '../../presenters.ts'

type Params = Validated<typeof idParams>
type Locator = Validated<typeof uploadLocatorQuery>

const tags = ['uploads']

/** Multipart sessions: sign part URLs, see what arrived, abort, list the open ones. */
export function uploadSessionRoutes(app: FastifyInstance, services: AppServices): void {
  app.post<{ Params: Params; Body: Validated<typeof signPartsBody> }>(
    '/v1/files/uploads/:id/parts',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'uploads.signParts',
        tags,
        summary: 'Sign PUT URLs for parts of a multipart session (again at any time).',
        params: idParams,
        body: signPartsBody,
        response: { 200: signPartsResponse },
      },
    },
    async (request) => {
      const parts = await services.multipart.signParts(request.principal, {
        uploadId: request.params.id,
        workspaceId: request.body.workspace_id,
        partNumbers: request.body.part_numbers,
        expiresIn: request.body.expires_in,
      })
      return { parts: parts.map(toSignedPartUrl) }
    },
  )
  app.get<{ Params: Params; Querystring: Locator }>(
    '/v1/files/uploads/:id',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'uploads.get',
        tags,
        summary: 'An upload and, for a multipart session, the parts the store holds.',
        params: idParams,
        querystring: uploadLocatorQuery,
        response: { 200: { $ref: 'UploadSession#' } },
      },
    },
    async (request) => {
      const { upload, parts } = await services.multipart.status(
        request.principal,
        request.query.workspace_id,
        request.params.id,
      )
      return toUploadSession(upload, parts)
    },
  )
  app.delete<{ Params: Params; Querystring: Locator }>(
    '/v1/files/uploads/:id',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'uploads.abort',
        tags,
        summary: 'Abort an open upload and drop its bytes.',
        params: idParams,
        querystring: uploadLocatorQuery,
      },
    },
    async (request, reply) => {
      await services.multipart.abort(
        request.principal,
        request.query.workspace_id,
        request.params.id,
      )
      return reply.code(204).send()
    },
  )
  app.get<{ Querystring: Locator }>(
    '/v1/files/uploads',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'uploads.list',
        tags,
        summary: "A workspace's open uploads, newest first.",
        querystring: uploadLocatorQuery,
        response: { 200: uploadListResponse },
      },
    },
    async (request) => {
      const uploads = await services.multipart.list(request.principal, request.query.workspace_id)
      return {
        uploads: uploads.map((upload) => toUploadSession(upload)),
      }
    },
  )
}
