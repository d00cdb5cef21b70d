/** `POST /v1/files/revoke-links`: every link to one file stops working at once. */
import { auditContext, facts } from './audit.ts'
import { recordingDenials } from './audit-service.ts'
import { type Principal, requirePermission, requireWorkspace } from './auth.ts'
import type { Clock } from './clock.ts'
import { fileNotFound } from './file-service.ts'
import { validateKey } from './keys.ts'
import type { MetadataStore } from './ports.ts'

export interface RevokedLinks {
  workspaceId: string
  key: string
  /** Links signed before this no longer work. */
  revokedAt: string
}

export class LinkRevocationService {
  readonly #metadata: MetadataStore
  readonly #clock: Clock

  constructor(metadata: MetadataStore, clock: Clock) {
    this.#metadata = metadata
    this.#clock = clock
  }

  /**
   * Needs `files:delete` on the workspace (whoever may remove the file may cut its links). The
   * file's link generation is bumped in the same transaction as its `links.revoke` event.
   */
  async revoke(principal: Principal, workspaceId: string, key: string): Promise<RevokedLinks> {
    await recordingDenials(
      this.#metadata,
      this.#clock,
      principal,
      facts('links.revoke', { workspaceId, key }),
      async () => {
        requirePermission(principal, 'files:delete')
        await requireWorkspace(this.#metadata, principal, workspaceId)
      },
    )
    const audit = auditContext(principal, this.#clock)
    const file = await this.#metadata.revokeFileLinks(workspaceId, validateKey(key), { audit })
    if (!file) throw fileNotFound(workspaceId, key)
    return { workspaceId, key: file.key, revokedAt: audit.at }
  }
}
