/**
 * Multipart sessions on disk. `<root>/sessions/<id>/data` is the whole file: each part is written
 * at its offset as it arrives (in any order, in parallel), fsynced, and only then recorded in
 * `part-<n>.json` with its size and SHA-256. The whole file's SHA-256 is computed as the parts
 * arrive (`running-hash.ts`), so completing only links the file into place: the parts are never
 * copied, and not read again. Sessions survive restarts, so uploads resume.
 */
import { mkdir, open, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import type { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { crashPoint } from '../../crash-points.ts'
import { AppError } from '../../domain/errors.ts'
import { randomId } from '../../domain/ids.ts'
import type { MultipartSession, StoredBlob, StoredPart } from '../../domain/ports.ts'
import { MeteredBody } from '../metered-body.ts'
import { DurableFile } from './durable-file.ts'
import { assertNoLinks } from './no-follow.ts'
import { type ReadMeter, RunningHashes } from './running-hash.ts'

interface Layout {
  blobName: string
  size: number
  partSize: number
}

export class LocalMultipart {
  readonly #sessions: string
  /** Links a finished file into the blob store under `blobName`. */
  readonly #publish: (file: string, blobName: string) => Promise<void>
  readonly #hashes: RunningHashes

  constructor(
    root: string,
    publish: (file: string, blobName: string) => Promise<void>,
    meter?: ReadMeter,
  ) {
    this.#sessions = join(root, 'sessions')
    this.#publish = publish
    this.#hashes = new RunningHashes(meter)
  }

  async create(blobName: string, options: { size: number; partSize: number }): Promise<string> {
    const id = randomId(20)
    const dir = join(this.#sessions, id)
    await mkdir(dir, { recursive: true })
    const data = await open(join(dir, 'data'), 'wx', 0o640)
    // Sparse: the parts fill it in; the disk is used only as they arrive.
    await data.truncate(options.size)
    await data.close()
    const layout: Layout = { blobName, size: options.size, partSize: options.partSize }
    await writeAtomically(join(dir, 'layout.json'), JSON.stringify(layout))
    return id
  }

  async putPart(
    session: MultipartSession,
    partNumber: number,
    body: Readable,
    size: number,
  ): Promise<StoredPart> {
    const dir = await this.#dir(session)
    const layout = await this.#layout(dir)
    const manifest = join(dir, `part-${partNumber}.json`)
    // A failed re-send must not leave the old record claiming bytes we are overwriting.
    await unlink(manifest).catch(() => {})
    const meter = new MeteredBody({ exactSize: size })
    const start = (partNumber - 1) * layout.partSize
    const written = this.#hashes.beginWrite(dir, partNumber)
    let part: StoredPart
    try {
      await pipeline(body, meter, new DurableFile(join(dir, 'data'), { flags: 'r+', start }))
      part = { partNumber, size: meter.byteCount, sha256: meter.sha256, etag: null }
      crashPoint('part.written')
      await writeAtomically(manifest, JSON.stringify(part))
    } finally {
      written()
    }
    // Answer once the parts now in line are hashed: after the last part, confirm reads nothing.
    await this.#hashes.advance(dir, layout)
    return part
  }

  async listParts(session: MultipartSession): Promise<StoredPart[]> {
    const dir = await this.#dir(session)
    const names = (await readdir(dir)).filter((name) => /^part-\d+\.json$/.test(name))
    const parts = await Promise.all(
      names.map(async (name) => JSON.parse(await readFile(join(dir, name), 'utf8')) as StoredPart),
    )
    return parts.sort((a, b) => a.partNumber - b.partNumber)
  }

  async complete(session: MultipartSession, parts: readonly StoredPart[]): Promise<StoredBlob> {
    const dir = await this.#dir(session)
    const layout = await this.#layout(dir)
    const total = parts.reduce((sum, part) => sum + part.size, 0)
    if (total !== layout.size) {
      throw new AppError(
        'size_mismatch',
        `The parts hold ${total} bytes, not the ${layout.size} declared.`,
      )
    }
    const sha256 = await this.#hashes.digest(dir, layout)
    crashPoint('multipart.joined')
    await this.#publish(join(dir, 'data'), session.blobName)
    crashPoint('multipart.published')
    await rm(dir, { recursive: true, force: true })
    this.#hashes.forget(dir)
    return { size: total, sha256 }
  }

  async abort(session: MultipartSession): Promise<void> {
    const dir = join(this.#sessions, safeId(session.storeUploadId))
    await rm(dir, { recursive: true, force: true })
    this.#hashes.forget(dir)
  }

  /** The session's folder; a session that is gone (or never was) -> upload_not_found. */
  async #dir(session: MultipartSession): Promise<string> {
    const dir = join(this.#sessions, safeId(session.storeUploadId))
    // Parts are written into `data`: never through a link planted in the data folder.
    await assertNoLinks(this.#sessions, join(dir, 'data'))
    const layout = await this.#layout(dir).catch(() => undefined)
    if (!layout || layout.blobName !== session.blobName) {
      throw new AppError(
        'upload_not_found',
        'This multipart upload no longer exists; start a new one.',
      )
    }
    return dir
  }

  async #layout(dir: string): Promise<Layout> {
    return JSON.parse(await readFile(join(dir, 'layout.json'), 'utf8')) as Layout
  }
}

function safeId(id: string): string {
  if (!/^[a-z0-9]+$/.test(id)) throw new AppError('upload_not_found', 'No such multipart upload.')
  return id
}

/** Write, fsync, rename: a reader sees the old file or the whole new one. */
async function writeAtomically(path: string, content: string): Promise<void> {
  const temp = `${path}.${randomId(6)}.tmp`
  await writeFile(temp, content, { flush: true })
  await rename(temp, path)
}
