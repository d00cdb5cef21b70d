/** API key scopes: `files` is read + write + delete; `admin` manages workspaces and keys. */
export const SCOPES = ['admin', 'files', 'files:read', 'files:write', 'files:delete'] as const
export type Scope = (typeof SCOPES)[number]
