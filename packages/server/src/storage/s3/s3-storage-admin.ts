import { GetBucketCorsCommand, PutBucketCorsCommand } from '@aws-sdk/client-s3'
import type { StorageAdmin, StorageInspection } from '../../domain/ports.ts'
import type { S3BlobStore } from './s3-blob-store.ts'
import { s3ErrorOf, storageError } from './s3-errors.ts'

/** Browsers PUT (with Content-Type) and GET presigned URLs; they need to read the ETag back. */
const BROWSER_UPLOAD_RULE = {
  AllowedMethods: ['GET', 'HEAD', 'PUT'],
  AllowedHeaders: ['content-type', 'range'],
  ExposeHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Content-Disposition'],
  MaxAgeSeconds: 3600,
}

export class S3StorageAdmin implements StorageAdmin {
  readonly #store: S3BlobStore

  constructor(store: S3BlobStore) {
    this.#store = store
  }

  async inspect(): Promise<StorageInspection> {
    const { bucket, prefix, endpoint } = this.#store.config
    const location = `s3://${bucket}/${prefix ?? ''}${endpoint ? ` at ${endpoint}` : ''}`
    const problems: string[] = []
    try {
      await this.#store.check()
    } catch (error) {
      problems.push(`${(error as Error).message} Check GRANARY_S3_* and the key's permissions.`)
      return { backend: 's3', location, reachable: false, corsOrigins: null, problems }
    }
    const corsOrigins = await this.#corsOrigins(problems)
    if (corsOrigins.length === 0) {
      problems.push(
        'No CORS rule lets a browser upload; run `granary admin storage check --set-cors <origin>`.',
      )
    }
    return { backend: 's3', location, reachable: true, corsOrigins, problems }
  }

  async setCorsOrigins(origins: string[]): Promise<void> {
    const command = new PutBucketCorsCommand({
      Bucket: this.#store.config.bucket,
      CORSConfiguration: { CORSRules: [{ ...BROWSER_UPLOAD_RULE, AllowedOrigins: origins }] },
    })
    await this.#store.client.send(command).catch((error: unknown) => {
      throw storageError(error, 'set the bucket CORS rules')
    })
  }

  /** Origins of rules that allow a browser PUT; none when the bucket has no CORS configuration. */
  async #corsOrigins(problems: string[]): Promise<string[]> {
    try {
      const answer = await this.#store.client.send(
        new GetBucketCorsCommand({ Bucket: this.#store.config.bucket }),
      )
      const rules = (answer.CORSRules ?? []).filter((rule) => rule.AllowedMethods?.includes('PUT'))
      return rules.flatMap((rule) => rule.AllowedOrigins ?? [])
    } catch (error) {
      if (s3ErrorOf(error).name === 'NoSuchCORSConfiguration') return []
      problems.push(
        `Could not read the bucket's CORS rules (${s3ErrorOf(error).name || 'error'}); the key may lack s3:GetBucketCORS.`,
      )
      return []
    }
  }
}
