/** The data folder's free space, for /readyz: a full disk fails every upload, so say so early. */
import { statfs } from 'node:fs/promises'
import { AppError } from '../../domain/errors.ts'

/** Bytes an unprivileged process may still write on the filesystem holding `dir`. */
export async function freeBytes(dir: string): Promise<number> {
  const info = await statfs(dir)
  return info.bavail * info.bsize
}

/** Throws storage_unavailable naming the free space and the floor when `dir` is below it. */
export async function requireFreeSpace(dir: string, minFreeBytes: number): Promise<void> {
  if (minFreeBytes <= 0) return
  const free = await freeBytes(dir)
  if (free >= minFreeBytes) return
  throw new AppError(
    'storage_unavailable',
    `The data folder has ${free} bytes free, below the floor of ${minFreeBytes} ` +
      '(GRANARY_MIN_FREE_BYTES): uploads would fail. Free some space or add disk.',
    { details: { free_bytes: free, min_free_bytes: minFreeBytes } },
  )
}
