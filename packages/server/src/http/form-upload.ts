/**
 * Streams a multipart/form-data upload with busboy: the text fields first, then the one `file`
 * part handed on as a stream. The file is never buffered whole.
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
}

/** Bodies declared this much over the limit are refused before reading any of it. */
const SLACK_BYTES = 16 * 1024 * 1024

export async function receiveForm<T>(
  request: IncomingMessage,
  options: { maxFileBytes: number; onFile: (part: FilePart) => Promise<T> },
): Promise<T> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN)
  if (declared > options.maxFileBytes + SLACK_BYTES) {
    throw tooLarge(options.maxFileBytes)
  }
  const parser = openParser(request, options.maxFileBytes)
  try {
    return await parse(request, parser, options.onFile)
  } catch (error) {
    // Stop parsing; the error handler drains what is left of the body.
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
      // One byte over the limit lets the store see, and reject, an oversized file instead of a truncated one.
      limits: {
        fileSize: maxFileBytes + 1,
        files: 1,
        fields: 20,
        fieldSize: 64 * 1024,
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

function parse<T>(
  request: IncomingMessage,
  parser: busboy.Busboy,
  onFile: (part: FilePart) => Promise<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fields: Record<string, string> = {}
    let handled: Promise<T> | undefined
    parser.on('field', (name, value) => {
      fields[name] = value
    })
    parser.on('file', (name, file, info) => {
      // Destroying the parser after a rejection errors its file streams; that is expected.
      file.on('error', () => {})
      if (name !== 'file' || handled) {
        file.resume() // only the first part named 'file' is stored
        return
      }
      const part = {
        fields: { ...fields },
        file,
        filename: info.filename ?? '',
        mimeType: info.mimeType,
      }
      // A promise even if onFile throws synchronously: an error must not escape busboy's listener.
      handled = Promise.resolve().then(() => onFile(part))
      handled.catch((error) => {
        file.resume()
        reject(error)
      })
    })
    parser.on('error', (error) =>
      reject(
        new AppError(
          'invalid_request',
          `The multipart body is malformed: ${(error as Error).message}.`,
        ),
      ),
    )
    parser.on('close', () => {
      if (!handled)
        reject(
          new AppError(
            'invalid_request',
            "The form has no 'file' part; send the bytes in a field named 'file'.",
          ),
        )
      else handled.then(resolve, reject)
    })
    request.on('error', reject)
    request.pipe(parser)
  })
}

function tooLarge(maxBytes: number): AppError {
  return new AppError('upload_too_large', formUploadLimitMessage(maxBytes), {
    details: { max_bytes: maxBytes },
  })
}
