/**
 * Schema validation errors in plain words that name the field and the rule
 * ("unknown query parameter 'prefx'", "field 'size' must be at least 0"), instead of ajv's
 * "must NOT have additional properties".
 */
import type { FastifySchemaValidationError } from 'fastify'

/** What a request part's entries are called. */
const ENTRY = {
  querystring: 'query parameter',
  body: 'field',
  params: 'path parameter',
  headers: 'header',
} as const

type Part = keyof typeof ENTRY

export function validationMessage(
  errors: readonly FastifySchemaValidationError[],
  context: string | undefined,
): string {
  const part: Part = context && context in ENTRY ? (context as Part) : 'body'
  const sentences = errors.map((error) => capitalize(describeError(error, part)))
  return `${sentences.join('. ')}.`
}

function describeError(error: FastifySchemaValidationError, part: Part): string {
  const params = error.params as Record<string, unknown>
  const entry = ENTRY[part]
  const path = fieldPath(error.instancePath)
  const where = path ? `${entry} '${path}'` : part === 'body' ? 'the JSON body' : `the ${entry}s`
  switch (error.keyword) {
    case 'additionalProperties':
      return `unknown ${entry} '${join(path, params.additionalProperty)}'; remove it or check its spelling`
    case 'required':
      return `${entry} '${join(path, params.missingProperty)}' is required`
    case 'type':
      return typeRule(where, String(params.type), part)
    case 'minimum':
    case 'exclusiveMinimum':
    case 'maximum':
    case 'exclusiveMaximum':
      return `${where} must be ${bound(error.keyword)} ${String(params.limit)}`
    case 'minLength':
      return `${where} must be at least ${String(params.limit)} characters long`
    case 'maxLength':
      return `${where} must be at most ${String(params.limit)} characters long`
    case 'minItems':
      return `${where} must list at least ${String(params.limit)} item(s)`
    case 'maxItems':
      return `${where} must list at most ${String(params.limit)} items`
    case 'enum':
      return `${where} must be one of ${list(params.allowedValues)}`
    case 'pattern':
      return `${where} must match the pattern ${String(params.pattern)}`
    case 'format':
      return `${where} must be a ${formatName(String(params.format))}`
    default:
      return `${where} ${error.message ?? 'is not valid'}`
  }
}

/** A query parameter given twice arrives as an array where one value is expected. */
function typeRule(where: string, type: string, part: Part): string {
  if (part === 'querystring' && type !== 'array')
    return `${where} must be given once, as ${article(type)}`
  if (type === 'object' && where === 'the JSON body') return 'the JSON body must be an object'
  return `${where} must be ${article(type)}`
}

function article(type: string): string {
  const names = type.split(',').map((t) => (t === 'integer' ? 'an integer' : `a ${t}`))
  return names.join(' or ')
}

function bound(keyword: string): string {
  return {
    minimum: 'at least',
    exclusiveMinimum: 'more than',
    maximum: 'at most',
    exclusiveMaximum: 'less than',
  }[keyword] as string
}

function formatName(format: string): string {
  return format === 'date-time' ? 'date-time in ISO 8601 (2030-01-31T12:00:00Z)' : `${format}`
}

function list(values: unknown): string {
  return Array.isArray(values) ? values.map((v) => `'${String(v)}'`).join(', ') : String(values)
}

/** JSON Pointer `/part_numbers/3` -> `part_numbers[3]`. */
function fieldPath(pointer: string): string {
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
  return segments.reduce(
    (path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : join(path, segment)),
    '',
  )
}

function join(path: string, name: unknown): string {
  return path ? `${path}.${String(name)}` : String(name)
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}
