/** A real HTTP receiver on 127.0.0.1 for webhook tests: records every request, answers as told. */
import { createServer, type IncomingMessage, type Server } from 'node:http'

export interface ReceivedRequest {
  readonly headers: Record<string, string>
  readonly body: string
  readonly path: string
}

export interface WebhookReceiver {
  readonly url: string
  readonly received: ReceivedRequest[]
  /** Statuses of the next answers, in order; 200 once they run out. */
  answerWith(...statuses: number[]): void
  /** Every answer from now on is this status with these headers. */
  alwaysAnswer(status: number, headers?: Record<string, string>): void
  close(): Promise<void>
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedRequest[] = []
  let queue: number[] = []
  let always: { status: number; headers: Record<string, string> } | undefined
  const server: Server = createServer(async (request, response) => {
    received.push({
      headers: request.headers as Record<string, string>,
      body: await text(request),
      path: request.url ?? '/',
    })
    const status = queue.shift() ?? always?.status ?? 200
    response.writeHead(status, always?.headers ?? {}).end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    answerWith(...statuses) {
      queue = statuses
    },
    alwaysAnswer(status, headers = {}) {
      always = { status, headers }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

async function text(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}
