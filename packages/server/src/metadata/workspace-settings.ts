/**
 * Workspace settings (columns of workspaces) and usage (workspace_usage, kept by triggers).
 * A new setting is one entry in SETTING_COLUMNS and one column in a migration.
 */
import type { Kysely } from 'kysely'
import type { WorkspaceSettings, WorkspaceUsage } from '../domain/lifecycle-ports.ts'
import type { Database } from './schema.ts'

/** Each setting's column in workspaces. */
const SETTING_COLUMNS = {
  trashDays: 'trash_days',
  keepVersions: 'keep_versions',
} as const satisfies Record<keyof WorkspaceSettings, keyof Database['workspaces']>

export async function getWorkspaceSettings(
  db: Kysely<Database>,
  workspaceId: string,
): Promise<WorkspaceSettings | undefined> {
  const row = await db
    .selectFrom('workspaces')
    .select(Object.values(SETTING_COLUMNS))
    .where('id', '=', workspaceId)
    .executeTakeFirst()
  if (!row) return undefined
  return { trashDays: Number(row.trash_days), keepVersions: Number(row.keep_versions) }
}

export async function updateWorkspaceSettings(
  db: Kysely<Database>,
  workspaceId: string,
  changes: Partial<WorkspaceSettings>,
): Promise<WorkspaceSettings | undefined> {
  const values: Partial<Record<(typeof SETTING_COLUMNS)[keyof WorkspaceSettings], number>> = {}
  for (const [field, column] of Object.entries(SETTING_COLUMNS)) {
    const value = changes[field as keyof WorkspaceSettings]
    if (value !== undefined) values[column] = value
  }
  if (Object.keys(values).length > 0) {
    await db.updateTable('workspaces').set(values).where('id', '=', workspaceId).execute()
  }
  return getWorkspaceSettings(db, workspaceId)
}

export async function getWorkspaceUsage(
  db: Kysely<Database>,
  workspaceId: string,
): Promise<WorkspaceUsage | undefined> {
  const row = await db
    .selectFrom('workspace_usage')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst()
  if (!row) return undefined
  // PostgreSQL answers bigint as a string; counts and sizes stay below 2^53.
  return {
    files: Number(row.files),
    bytes: Number(row.bytes),
    versions: Number(row.versions),
    versionBytes: Number(row.version_bytes),
    trashFiles: Number(row.trash_files),
    trashBytes: Number(row.trash_bytes),
  }
}
