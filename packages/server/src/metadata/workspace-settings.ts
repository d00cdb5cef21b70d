/**
 * Workspace settings (columns of workspaces) and usage (workspace_usage, kept by triggers).
 * A new setting is one entry in SETTING_COLUMNS and one column in a migration.
 */
import type { Kysely, Transaction, Updateable } from 'kysely'
import type { WorkspaceSettings, WorkspaceUsage } from '../domain/lifecycle-ports.ts'
import { checkQuota, type QuotaUsage, quotaUsage } from '../domain/quota.ts'
import type { Database, WorkspacesTable } from './schema.ts'

/** Each setting's column in workspaces. */
const SETTING_COLUMNS = {
  trashDays: 'trash_days',
  keepVersions: 'keep_versions',
  quotaBytes: 'quota_bytes',
  quotaFiles: 'quota_files',
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
  return {
    trashDays: Number(row.trash_days),
    keepVersions: Number(row.keep_versions),
    quotaBytes: nullableNumber(row.quota_bytes),
    quotaFiles: nullableNumber(row.quota_files),
  }
}

export async function updateWorkspaceSettings(
  db: Kysely<Database>,
  workspaceId: string,
  changes: Partial<WorkspaceSettings>,
): Promise<WorkspaceSettings | undefined> {
  const values: Partial<Record<(typeof SETTING_COLUMNS)[keyof WorkspaceSettings], number | null>> =
    {}
  for (const [field, column] of Object.entries(SETTING_COLUMNS)) {
    const value = changes[field as keyof WorkspaceSettings]
    if (value !== undefined) values[column] = value
  }
  if (Object.keys(values).length > 0) {
    await db
      .updateTable('workspaces')
      .set(values as Updateable<WorkspacesTable>)
      .where('id', '=', workspaceId)
      .execute()
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

/** bigint columns come back as strings from PostgreSQL. */
function nullableNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value)
}

/**
 * The quota check of a commit, inside its transaction: a workspace without quotas costs one
 * indexed read; one with quotas has its row locked (PostgreSQL: FOR NO KEY UPDATE, which file
 * inserts' foreign-key checks do not wait for) so two writers near the limit take turns and the
 * second sees the first's usage. SQLite runs one write transaction at a time.
 */
export async function enforceQuotaIn(
  trx: Transaction<Database>,
  workspaceId: string,
  requested: QuotaUsage,
  lock: boolean,
): Promise<void> {
  const quotas = () =>
    trx
      .selectFrom('workspaces')
      .select(['quota_bytes', 'quota_files'])
      .where('id', '=', workspaceId)
  let row = await quotas().executeTakeFirst()
  if (!row || (row.quota_bytes === null && row.quota_files === null)) return
  if (lock) row = await quotas().forNoKeyUpdate().executeTakeFirst()
  if (!row) return
  const usage = await getWorkspaceUsage(trx, workspaceId)
  if (!usage) return
  checkQuota(
    { quotaBytes: nullableNumber(row.quota_bytes), quotaFiles: nullableNumber(row.quota_files) },
    quotaUsage(usage),
    requested,
  )
}
