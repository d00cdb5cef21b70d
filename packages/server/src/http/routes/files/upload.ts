import { uploadFormQuery, type Validated } from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import { AppError } from '../../../domain/errors.ts'
import type { AppOptions, AppServices } from '../../app.ts'
import { abandonIdleBody } from '../../body-idle-timeout.ts'
import { type FormFields, receiveForm } from '../../form-upload.ts'
import { toFileInfo } from '../../presenters.ts'

type UploadQuery = Validated<typeof uploadFormQuery>

/** The form's text fields; all of them come before the `file` part. */
const FORM_FIELDS = ['workspace_id', 'path', 'description', 'overwrite'] as const

export function uploadRoute(
  app: FastifyInstance,
  services: AppServices,
  options: AppOptions,
): void {
  // The body stays a stream: busboy reads it in the handler.
  app.addContentTypeParser('multipart/form-data', (_request, _payload, done) => done(null))
  app.post<{ Querystring: UploadQuery }>(
    '/v1/files/upload',
    {
      config: { auth: 'files:write' },
      schema: {
        operationId: 'files.upload',
        tags: ['files'],
        summary: `Upload a file via multipart/form-data (fields workspace_id, path, description, overwrite, then file), up to ${megabytes(options.maxUploadBytes)}. Larger files: POST /v1/files/upload-url, PUT the bytes, POST /v1/files/upload-confirm.`,
        consumes: ['multipart/form-data'],
        querystring: uploadFormQuery,
        response: { 201: { $ref: 'FileInfo#' } },
      },
    },
    async (request, reply) => {
      const stopWatching = abandonIdleBody(request, reply, options.bodyIdleTimeoutMs)
      try {
        const file = await receiveForm(request.raw, {
          maxFileBytes: options.maxUploadBytes,
          fieldNames: FORM_FIELDS,
          onFile: ({ fields, file, filename, mimeType, rest }) => {
            const form = { ...request.query, ...parseFields(fields) }
            return services.files.upload(request.principal, {
              workspaceId: required(form.workspace_id),
              ...(form.path !== undefined ? { path: form.path } : {}),
              ...(form.description !== undefined ? { description: form.description } : {}),
              filename,
              contentType: mimeType,
              overwrite: form.overwrite ?? true,
              body: file,
              maxBytes: options.maxUploadBytes,
              declaredBytes: declaredFileBytes(request.headers['content-length']),
              complete: rest,
            })
          },
        })
        return reply.code(201).send(toFileInfo(file))
      } finally {
        stopWatching()
      }
    },
  )
}

function parseFields(fields: FormFields): UploadQuery {
  const out: UploadQuery = {}
  if (fields.workspace_id !== undefined) out.workspace_id = fields.workspace_id
  if (fields.path !== undefined) out.path = fields.path
  if (fields.description !== undefined) out.description = fields.description
  if (fields.overwrite !== undefined) out.overwrite = parseBoolean(fields.overwrite)
  return out
}

function parseBoolean(value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true
  if (/^(false|0|no)$/i.test(value)) return false
  throw new AppError(
    'invalid_request',
    `Form field 'overwrite' must be true or false, not '${value}'.`,
  )
}

function required(workspaceId: string | undefined): string {
  if (workspaceId) return workspaceId
  throw new AppError(
    'invalid_request',
    "Form field 'workspace_id' is required and must come before the 'file' part (or pass ?workspace_id=).",
  )
}

/** 500000000 -> '500 MB' (the seed's wording), else the exact byte count. */
function megabytes(bytes: number): string {
  return bytes % 1_000_000 === 0 ? `${bytes / 1_000_000} MB` : `${bytes} bytes`
}

/** The form's own parts (boundaries, fields) take at most this much of its Content-Length. */
const FORM_OVERHEAD_BYTES = 64 * 1024

/** A lower bound of the file's size from the request's Content-Length, for the early quota check. */
function declaredFileBytes(contentLength: string | undefined): number {
  const declared = Number(contentLength)
  return Number.isFinite(declared) ? Math.max(0, declared - FORM_OVERHEAD_BYTES) : 0
}
