/**
 * Streams a multipart/form-data upload with busboy: the text fields first, then the one `file`
 * part handed on as a stream. The file is never buffered whole. Anything after the file part
 * (a field, a second file) or any field the route does not know makes the whole form invalid:
 * the file part's `rest` promise rejects, and the upload must then discard what it stored.
 */
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import busboy from 'busboy'
import { AppError } from '../domain/errors.ts'
import { formUploadLimitMessage } from '../domain/file-service.ts'

export type FormFields = Readonly<Record<string, string>>

export interface FilePart {
  fields: FormFields
  file: Readable
  filename: string
  mimeType: string
  /**
   * Settles once the whole form is read: rejects (invalid_request) when anything follows the
   * file part. Commit nothing before it resolves.
   */
  rest: Promise<void>
}

export interface FormOptions<T> {
  maxFileBytes: number
  /** The text fields the route takes; any other name is refused. */
  fieldNames: readonly string[]
  onFile: (part: FilePart) => Promise<T>
}

/** Bodies declared this much over the limit are refused before reading any of it. */
const SLACK_BYTES = 16 * 1024 * 1024
const MAX_FIELD_BYTES = 64 * 1024

export async function receiveForm<T>(
  request: IncomingMessage,
  options: FormOptions<T>,
): Promise<T> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN)
  if (declared > options.maxFileBytes + SLACK_BYTES) {
    throw tooLarge(options.maxFileBytes)
  }
  const parser = openParser(request, options.maxFileBytes)
  try {
    return await parse(request, parser, options)
  } catch (error) {
    // Stop parsing; the error handler deals with what is left of the body.
    request.unpipe(parser)
    parser.destroy()
    throw error
  }
}

function openParser(request: IncomingMessage, maxFileBytes: number): busboy.Busboy {
  try {
    return busboy({
      headers: request.headers,
      // Keep the whole file name, so 'a/../b' is refused by the key rules, not silently cut to 'b'.
      preservePath: true,
      defParamCharset: 'utf8', // non-ASCII file names arrive as UTF-8 from browsers, curl and requests
      // One byte over the limit lets the store see, and reject, an oversized file instead of a
      // truncated one; likewise a second file part is parsed so it can be named in the error.
      limits: {
        fileSize: maxFileBytes + 1,
        files: 2,
        fields: 20,
        fieldSize: MAX_FIELD_BYTES,
        parts: 30,
      },
    })
  } catch (error) {
    throw new AppError(
      'unsupported_media_type',
      'Send the upload as multipart/form-data with a boundary.',
      { cause: error },
    )
  }
}

/** A settle-once promise whose rejection is never "unhandled": the upload awaits it later. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve: () => void = () => {}
  let reject: (e: unknown) => void = () => {}
  const promise = new Promise<void>((res, rej) => {
    resolve = res
    reject = rej
  })
  promise.catch(() => {})
  return { promise, resolve, reject }
}

function parse<T>(
  request: IncomingMessage,
  parser: busboy.Busboy,
  options: FormOptions<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fields: Record<string, string> = {}
    const rest = deferred()
    let handled: Promise<T> | undefined
    let failed = false
    // Before the file part a bad form fails at once; after it, through `rest`. Either way busboy
    // may still emit the parts it already holds: they are ignored.
    const refuse = (error: unknown) => {
      failed = true
      rest.reject(error)
      if (!handled) reject(error)
    }
    parser.on('field', (name, value, info) => {
      const problem = fieldProblem(name, fields, options.fieldNames, info.valueTruncated, handled)
      if (problem) refuse(problem)
      else fields[name] = value
    })
    parser.on('file', (name, file, info) => {
      // Destroying the parser after a rejection errors its file streams; that is expected.
      file.on('error', () => {})
      if (failed) {
        file.resume()
        return
      }
      if (handled || name !== 'file') {
        file.resume()
        refuse(fileProblem(name, handled !== undefined))
        return
      }
      const part = {
        fields: { ...fields },
        file,
        filename: info.filename ?? '',
        mimeType: info.mimeType,
        rest: rest.promise,
      }
      // A promise even if onFile throws synchronously: an error must not escape busboy's listener.
      handled = Promise.resolve().then(() => options.onFile(part))
      handled.catch((error) => {
        file.resume()
        reject(error)
      })
    })
    for (const limit of ['partsLimit', 'fieldsLimit', 'filesLimit'] as const) {
      parser.on(limit, () => refuse(invalid('The form has too many parts; send one file part.')))
    }
    parser.on('error', (error) => {
      const malformed = invalid(`The multipart body is malformed: ${(error as Error).message}.`)
      refuse(malformed)
      reject(malformed)
    })
    parser.on('close', () => {
      rest.resolve()
      if (!handled)
        reject(invalid("The form has no 'file' part; send the bytes in a field named 'file'."))
      else handled.then(resolve, reject)
    })
    request.on('error', (error) => {
      refuse(error)
      reject(error)
    })
    request.pipe(parser)
  })
}

function fieldProblem(
  name: string,
  seen: Record<string, string>,
  known: readonly string[],
  truncated: boolean,
  afterFile: unknown,
): AppError | undefined {
  if (afterFile)
    return invalid(
      `Form field '${name}' came after the 'file' part; send every field before the file. Nothing was stored.`,
    )
  if (!known.includes(name))
    return invalid(
      `Unknown form field '${name}'; the upload takes ${known.map((n) => `'${n}'`).join(', ')} and 'file'.`,
    )
  if (Object.hasOwn(seen, name)) return invalid(`Form field '${name}' is sent twice; send it once.`)
  if (truncated)
    return invalid(`Form field '${name}' is longer than ${MAX_FIELD_BYTES} bytes; shorten it.`)
  return undefined
}

function fileProblem(name: string, afterFile: boolean): AppError {
  if (afterFile)
    return invalid(
      `A second file part ('${name}') came after the 'file' part; send one file per upload. Nothing was stored.`,
    )
  return invalid(
    `Unknown file part '${name}'; send the bytes in a field named 'file', after the text fields.`,
  )
}

function invalid(message: string): AppError {
  return new AppError('invalid_request', message)
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('upload_too_large', formUploadLimitMessage(maxBytes), {
    details: { max_bytes: maxBytes },
  })
}
