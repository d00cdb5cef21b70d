import { Ajv, type Options } from 'ajv'
import formats from 'ajv-formats'
import type { FastifySchema, FastifySchemaCompiler } from 'fastify'

const shared: Options = { allErrors: false, removeAdditional: false, useDefaults: true }

/**
 * Query strings and path parameters arrive as text, so their numbers and booleans are coerced;
 * JSON bodies are taken as typed, so `"size": true` or `null` is an error, not 1 or 0.
 */
export function schemaValidators(schemas: readonly object[]): FastifySchemaCompiler<FastifySchema> {
  const coercing = withFormats(new Ajv({ ...shared, coerceTypes: 'array' }), schemas)
  const strict = withFormats(new Ajv({ ...shared, coerceTypes: false }), schemas)
  return ({ schema, httpPart }) =>
    (httpPart === 'body' ? strict : coercing).compile(schema as object)
}

function withFormats(ajv: Ajv, schemas: readonly object[]): Ajv {
  formats.default(ajv)
  for (const schema of schemas) ajv.addSchema(schema)
  return ajv
}
