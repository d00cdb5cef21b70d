/** First-start work: the default workspace, the bootstrap admin key and the signing secret. */
import { randomBytes } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Config } from './config.ts'
import type { AdminService } from './domain/admin-service.ts'
import { newKeySecret } from './domain/ids.ts'
import type { MetadataStore } from './domain/ports.ts'

export const DEFAULT_WORKSPACE = 'ws_default'

/** GRANARY_SIGNING_SECRET, else the one kept in the data folder (made on first start). */
export async function resolveSigningSecret(config: Config): Promise<string> {
  if (config.signingSecret) return config.signingSecret
  const file = join(config.dataDir, 'signing.secret')
  const existing = await readFile(file, 'utf8').catch(() => undefined)
  if (existing?.trim()) return existing.trim()
  const secret = randomBytes(32).toString('base64url')
  await writeFile(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }).catch(async () => {
    // Another process made it first; use theirs.
  })
  return (await readFile(file, 'utf8')).trim()
}

export interface BootstrapResult {
  /** Set when this start created an admin key the operator has not seen yet. */
  newAdminKey?: string
  adminKeyFile: string
}

export async function bootstrap(
  config: Config,
  admin: AdminService,
  metadata: MetadataStore,
): Promise<BootstrapResult> {
  await admin.ensureWorkspace({
    id: DEFAULT_WORKSPACE,
    name: 'Default workspace',
  })
  const adminKeyFile = join(config.dataDir, 'admin.key')
  if (config.adminKey) {
    const secret = config.adminKey
    if (!(await admin.hasKey(secret))) {
      // Several processes may start at once on one database: one of them stores the key.
      await issueAdminKey(admin, secret).catch(async (error: unknown) => {
        if (!(await admin.hasKey(secret))) throw error
      })
    }
    return { adminKeyFile }
  }
  if ((await metadata.listKeys()).length > 0) return { adminKeyFile }
  const secret = newKeySecret()
  await issueAdminKey(admin, secret)
  await writeFile(adminKeyFile, `${secret}\n`, { mode: 0o600 })
  return { newAdminKey: secret, adminKeyFile }
}

function issueAdminKey(admin: AdminService, secret: string) {
  return admin.issueKey({ name: 'bootstrap admin', scopes: ['admin', 'files'] }, secret)
}
