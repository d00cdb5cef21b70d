/** Route schemas of the genomics calls: region queries and headers of indexed files (#15). */
import { fileKey, workspaceId } from './schemas.ts'
import type { Wire } from './wire.ts'

export const QUERY_REGIONS_MAX = 100

export const queryFileQuery = {
  type: 'object',
  required: ['workspace_id', 'key', 'region'],
  additionalProperties: false,
  properties: {
    workspace_id: workspaceId,
    key: fileKey,
    region: {
      type: 'array',
      minItems: 1,
      maxItems: QUERY_REGIONS_MAX,
      items: { type: 'string', minLength: 1, maxLength: 1024 },
      description:
        'chr1, chr1:1000 or chr1:1000-2000 (1-based, inclusive, like samtools); repeat for several.',
    },
    limit: { type: 'integer', minimum: 1, description: 'At most this many records.' },
    format: {
      type: 'string',
      enum: ['text', 'json'],
      default: 'text',
      description: 'text: the lines bcftools, samtools and tabix print; json: one record per line.',
    },
    header: {
      type: 'boolean',
      default: false,
      description: 'Print the header first (text), or a first {"header": ...} line (json).',
    },
    reference_key: {
      ...fileKey,
      description: 'CRAM: the key of the reference FASTA (with its .fai) in the same workspace.',
    },
  },
} as const

export const queryFileResponse = {
  type: 'string',
  description:
    'text/plain: the records as the htslib tools print them; application/x-ndjson with format=json.',
} as const

export const fileHeaderQuery = {
  type: 'object',
  required: ['workspace_id', 'key'],
  additionalProperties: false,
  properties: { workspace_id: workspaceId, key: fileKey },
} as const

export const fileHeaderResponse = {
  type: 'object',
  required: ['format', 'header', 'contigs', 'samples'],
  additionalProperties: false,
  properties: {
    format: { type: 'string', enum: ['vcf', 'bam', 'cram', 'tabix'] },
    header: { type: 'string', description: 'The header text, as `-h` prints it.' },
    contigs: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'length'],
        additionalProperties: false,
        properties: { name: { type: 'string' }, length: { type: ['integer', 'null'] } },
      },
    },
    samples: { type: 'array', items: { type: 'string' } },
  },
} as const

export type FileHeaderResponse = Wire<typeof fileHeaderResponse>
