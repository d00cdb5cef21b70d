import {
  copyResponse,
  jobStartedResponse,
  moveBody,
  moveResponse,
  type Validated,
} from '@granary/protocol'
import type { FastifyInstance } from 'fastify'
import type { AppServices } from '../../app.ts'
import { fromMoveBody, toMoveAnswer } from '../../presenters.ts'

type MoveBody = Validated<typeof moveBody>

/** POST /v1/files/move: a file or a whole folder gets a new key; metadata only. */
export function moveFileRoute(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: MoveBody }>(
    '/v1/files/move',
    {
      // files:delete is checked too, by the domain: the old key disappears.
      config: { auth: 'files:write' },
      schema: {
        operationId: 'files.move',
        tags: ['files'],
        summary:
          "Move or rename a file, or a folder ('from' and 'to' ending in '/'): metadata only, the file keeps its id and versions.",
        body: moveBody,
        response: { 200: moveResponse, 202: jobStartedResponse },
      },
    },
    async (request, reply) => {
      const outcome = await services.moves.move(request.principal, fromMoveBody(request.body))
      const answer = toMoveAnswer(outcome, 'moved')
      return reply.code(answer.status).send(answer.body)
    },
  )
}

/** POST /v1/files/copy: a new file (new id) sharing the bytes; folders too. */
export function copyFileRoute(app: FastifyInstance, services: AppServices): void {
  app.post<{ Body: MoveBody }>(
    '/v1/files/copy',
    {
      // files:read is checked too, by the domain.
      config: { auth: 'files:write' },
      schema: {
        operationId: 'files.copy',
        tags: ['files'],
        summary:
          "Copy a file, or a folder ('from' and 'to' ending in '/'): the copy shares the bytes (nothing is copied) and gets a new id.",
        body: moveBody,
        response: { 200: copyResponse, 202: jobStartedResponse },
      },
    },
    async (request, reply) => {
      const outcome = await services.moves.copy(request.principal, fromMoveBody(request.body))
      const answer = toMoveAnswer(outcome, 'copied')
      return reply.code(answer.status).send(answer.body)
    },
  )
}
