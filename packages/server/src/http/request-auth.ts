import type { Principal } from '../domain/auth.ts'

export type Authenticate = (secret: string | undefined) => Promise<Principal>

/** The bearer secret of `Authorization: Bearer <key>`, if any. */
export function bearerSecret(request: {
  headers: { authorization?: string | undefined }
}): string | undefined {
  const header = request.headers.authorization
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i)
  return match?.[1]
}
