import { counted } from './body-stream.ts'
import type { Progress } from './file-options.ts'

const WRITE_BUFFER = 1024 * 1024

export interface SaveOptions {
  /** A folder (existing, or ending in `/`: created) or a file path (its folder created); default: cwd. */
  dest?: string | undefined
  /** The file name used when `dest` is a folder. */
  name: string
  /** Expected byte count (Content-Length): a shorter or longer body fails the download. */
  size?: number | undefined
  onProgress?: ((progress: Progress) => void) | undefined
}

/**
 * Streams a body to disk (Node only). Bytes go to a temp file beside the target, renamed into
 * place once complete, so a failed download never leaves a partial file under the final name.
 */
export async function saveToFile(
  body: AsyncIterable<Uint8Array>,
  options: SaveOptions,
): Promise<string> {
  const target = await resolveTarget(options.dest, options.name)
  const [{ rename, rm }, { createWriteStream }, { pipeline }, path] = await Promise.all([
    import('node:fs/promises'),
    import('node:fs'),
    import('node:stream/promises'),
    import('node:path'),
  ])
  const suffix = Math.random().toString(36).slice(2, 10)
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${suffix}.part`)
  const onBytes = (loaded: number) => options.onProgress?.({ loaded, total: options.size })
  try {
    const chunks = counted(body, { size: options.size, onBytes })
    // A large buffer lets the file stream write many socket chunks per call (writev).
    const file = createWriteStream(temp, { flags: 'wx', flush: true, highWaterMark: WRITE_BUFFER })
    await pipeline(chunks, file)
    await rename(temp, target)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  return target
}

export async function resolveTarget(dest: string | undefined, name: string): Promise<string> {
  const [{ mkdir, stat }, path] = await Promise.all([
    import('node:fs/promises'),
    import('node:path'),
  ])
  const safeName = path.basename(name)
  if (!safeName || safeName === '.' || safeName === '..') {
    throw new TypeError(`Cannot derive a local file name from '${name}'; pass a file path as dest.`)
  }
  if (dest === undefined) return path.resolve(safeName)
  if (/[/\\]$/.test(dest)) {
    await mkdir(dest, { recursive: true })
    return path.resolve(dest, safeName)
  }
  const info = await stat(dest).catch(() => undefined)
  if (info?.isDirectory()) return path.resolve(dest, safeName)
  await mkdir(path.dirname(path.resolve(dest)), { recursive: true })
  return path.resolve(dest)
}
