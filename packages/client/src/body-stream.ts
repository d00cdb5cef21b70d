/** Errors raised while reading an upload's source, so a failed fetch can report them as they are. */
const sourceErrors = new WeakSet<object>()

/**
 * A pull-based ReadableStream over chunks: nothing is read before fetch asks for it, so memory
 * stays flat and a progress count made while iterating tracks what was actually sent.
 */
export function streamFrom(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]()
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next().catch((err: unknown) => {
          if (typeof err === 'object' && err !== null) sourceErrors.add(err)
          throw err
        })
        if (next.done) controller.close()
        else controller.enqueue(next.value)
      },
      async cancel(reason) {
        await iterator.return?.(reason)
      },
    },
    { highWaterMark: 0 },
  )
}

/** The source error behind a failed fetch (fetch wraps it in `TypeError('fetch failed')`). */
export function sourceErrorOf(err: unknown): unknown {
  for (let e = err, depth = 0; depth < 5; depth++) {
    if (typeof e !== 'object' || e === null) return undefined
    if (sourceErrors.has(e)) return e
    e = (e as { cause?: unknown }).cause
  }
  return undefined
}

/** Chunks of a web ReadableStream; cancels it when the consumer stops early. */
export async function* readChunks(stream: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = stream.getReader()
  let done = false
  try {
    while (!done) {
      const next = await reader.read()
      done = next.done
      if (next.value) yield next.value
    }
  } finally {
    if (!done) await reader.cancel().catch(() => {})
    reader.releaseLock()
  }
}

/**
 * Passes chunks through, reporting bytes seen and failing when the source yields other than the
 * declared size: a file that changed under us must not be stored truncated or padded.
 */
export async function* counted(
  chunks: AsyncIterable<unknown>,
  options: { size?: number | undefined; onBytes?: (loaded: number) => void },
): AsyncGenerator<Uint8Array> {
  let loaded = 0
  for await (const chunk of chunks) {
    const bytes = toBytes(chunk)
    loaded += bytes.byteLength
    if (options.size !== undefined && loaded > options.size) throw sizeChanged(options.size, loaded)
    options.onBytes?.(loaded)
    yield bytes
  }
  if (options.size !== undefined && loaded !== options.size) throw sizeChanged(options.size, loaded)
}

function sizeChanged(expected: number, seen: number): Error {
  return new Error(
    `The upload source changed while it was read: expected ${expected} bytes, got ${seen}` +
      `${seen > expected ? ' or more' : ''}. Retry once the file is complete.`,
  )
}

const encoder = new TextEncoder()

function toBytes(chunk: unknown): Uint8Array {
  if (chunk instanceof Uint8Array) return chunk
  if (typeof chunk === 'string') return encoder.encode(chunk)
  if (chunk instanceof ArrayBuffer) return new Uint8Array(chunk)
  throw new TypeError(
    'An upload stream must yield Uint8Array, Buffer, ArrayBuffer or string chunks.',
  )
}
