/**
 * API key scopes: `files` is read + write + delete; `admin` manages workspaces and keys;
 * `audit:read` reads the audit trail of the key's workspaces (admin keys may too).
 */
export const SCOPES = [
  'admin',
  'files',
  'files:read',
  'files:write',
  'files:delete',
  'audit:read',
] as const
export type Scope = (typeof SCOPES)[number]
