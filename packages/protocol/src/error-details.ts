/**
 * What `error.details` carries, per code: snake_case fields like the rest of the wire. Codes not
 * listed carry no details. The server's AppError takes only these fields for its code (checked by
 * the compiler), and a test keeps docs/errors.md's "Details" table in step with this list.
 */
import type { FromSchema } from 'json-schema-to-ts'
import type { ErrorCode } from './error-codes.ts'

const integer = { type: 'integer' } as const
const text = { type: 'string' } as const

export const errorDetailsSchemas = {
  invalid_key: details({ rule: text }, ['rule']),
  insufficient_scope: details({ required: text }, ['required']),
  upload_ambiguous: details({ upload_ids: { type: 'array', items: text } }, ['upload_ids']),
  upload_not_received: details({
    missing_parts: { type: 'array', items: integer },
    storage_error: text,
  }),
  upload_too_large: details({ max_bytes: integer }, ['max_bytes']),
  checksum_mismatch: details({ part_number: integer, etag: text, md5: text }),
  range_not_satisfiable: details({ size: integer }, ['size']),
  quota_exceeded: details(
    {
      resource: { type: 'string', enum: ['bytes', 'files'] },
      limit: integer,
      used: integer,
      requested: integer,
    },
    ['resource', 'limit', 'used', 'requested'],
  ),
  invalid_region: details({ region: text, known_contigs: { type: 'array', items: text } }, [
    'region',
  ]),
  unsupported_format: details({ format: text }),
  index_missing: details({ looked_for: { type: 'array', items: text } }, ['looked_for']),
  rate_limited: details({ retry_after_s: integer }, ['retry_after_s']),
  storage_unavailable: details({
    storage_error: text,
    storage_status: integer,
    free_bytes: integer,
    min_free_bytes: integer,
  }),
} as const satisfies Partial<Record<ErrorCode, object>>

function details<const P extends object, const R extends readonly (keyof P & string)[] = []>(
  properties: P,
  required?: R,
) {
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    required: required ?? ([] as unknown as R),
  } as const
}

type WithDetails = keyof typeof errorDetailsSchemas

/** The details an error of code `C` may carry (never, for a code that carries none). */
export type ErrorDetails<C extends ErrorCode> = C extends WithDetails
  ? FromSchema<(typeof errorDetailsSchemas)[C]>
  : never
