import type { FastifyInstance, FastifyReply } from 'fastify'

/**
 * Every JSON answer ends with a newline, so `curl` output does not run into the shell prompt and
 * line-based tools see a complete line. Added after serialization: response schemas still apply.
 */
export function endJsonWithNewline(app: FastifyInstance): void {
  app.addHook('onSend', (_request, reply, payload, done) => {
    done(null, withNewline(reply, payload))
  })
}

function withNewline(reply: FastifyReply, payload: unknown): unknown {
  if (typeof payload !== 'string' || payload.endsWith('\n')) return payload
  const type = String(reply.getHeader('content-type') ?? '')
  return /^application\/(?:[\w.+-]+\+)?json\b/i.test(type) ? `${payload}\n` : payload
}
