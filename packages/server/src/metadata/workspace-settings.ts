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
  const exists = await db
    .selectFrom('workspaces')
    .select('id')
    .where('id', '=', workspaceId)
    .executeTakeFirst()
  if (!exists) return undefined
  const row = await db
    .selectFrom('workspace_usage')
    .select((eb) => [
      eb.fn.sum<number | string | null>('files').as('files'),
      eb.fn.sum<number | string | null>('bytes').as('bytes'),
      eb.fn.sum<number | string | null>('versions').as('versions'),
      eb.fn.sum<number | string | null>('version_bytes').as('version_bytes'),
      eb.fn.sum<number | string | null>('trash_files').as('trash_files'),
      eb.fn.sum<number | string | null>('trash_bytes').as('trash_bytes'),
    ])
    .where('workspace_id', '=', workspaceId)
    .executeTakeFirst()
  // PostgreSQL answers sums of bigint as strings; counts and sizes stay below 2^53.
  return {
    files: Number(row?.files ?? 0),
    bytes: Number(row?.bytes ?? 0),
    versions: Number(row?.versions ?? 0),
    versionBytes: Number(row?.version_bytes ?? 0),
    trashFiles: Number(row?.trash_files ?? 0),
    trashBytes: Number(row?.trash_bytes ?? 0),
  }
}
