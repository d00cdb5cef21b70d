/**
 * The local store never follows a symbolic link below its own folders: a link planted in the data
 * folder must not make Granary serve, overwrite or unlink a file outside it (issue #11).
 * `open` uses O_NOFOLLOW for the last component; the folders above it are checked with lstat.
 */
import { constants } from 'node:fs'
import { type FileHandle, lstat, open } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { AppError } from '../../domain/errors.ts'

export function linkRefused(path: string): AppError {
  return new AppError(
    'storage_link_refused',
    'The stored object sits behind a symbolic link in the data folder, which Granary never ' +
      'follows; an operator must replace the link with the real file or folder.',
    { cause: new Error(`symbolic link in the data folder: ${path}`) },
  )
}

/**
 * Refuses when any component of `path` below `root` (the last one included) is a symbolic link.
 * Stops at the first component that does not exist: nothing below it can be a link yet.
 */
export async function assertNoLinks(root: string, path: string): Promise<void> {
  let current = root
  for (const part of relative(root, path).split(sep)) {
    if (part === '') continue
    current = join(current, part)
    const info = await lstat(current).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined
      throw error
    })
    if (!info) return
    if (info.isSymbolicLink()) throw linkRefused(current)
  }
}

/** Opens `path` for reading after checking its folders, never through a link. */
export async function openNoFollow(root: string, path: string): Promise<FileHandle> {
  await assertNoLinks(root, path)
  try {
    return await open(path, constants.O_RDONLY | constants.O_NOFOLLOW)
  } catch (error) {
    // ELOOP: the last component became a link after the check (O_NOFOLLOW refused it).
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw linkRefused(path)
    throw error
  }
}
