/** The query of Granary's own signed PUT URLs (whole uploads and parts): what the signature covers. */
export interface SignedPutQuery {
  size: number
  expires: number
  signature: string
}

export const signedPutQuery = {
  type: 'object',
  required: ['size', 'expires', 'signature'],
  properties: {
    size: { type: 'integer', minimum: 0 },
    expires: { type: 'integer' },
    signature: { type: 'string', maxLength: 128 },
  },
} as const
