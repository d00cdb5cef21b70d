/**
 * The local store never follows a symbolic link below its own folders: a link planted in the data
 * folder must not make Granary serve, overwrite or unlink a file outside it (issue #11).
 * `open` uses O_NOFOLLOW for the last component; the folders above it are checked with lstat.
 */
import { constants } from 'node:fs'
import { type FileHandle, lstat, open, realpath } from 'node:fs/promises'
import { isAbsolute, join, relative, sep } from 'node:path'
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
  if (await resolvesInPlace(root, path)) return
  await walkWithoutLinks(root, path)
}

/** The canonical path of each store root, found once. */
const canonicalRoots = new Map<string, Promise<string | undefined>>()

/**
 * True when the kernel resolves `path` to itself below the root's canonical path: then no
 * component below the root is a link (resolving one would change the path), in one realpath(3)
 * instead of an lstat per component. Anything else (missing, changed, outside the root) is left to
 * the walk, which decides as before.
 */
async function resolvesInPlace(root: string, path: string): Promise<boolean> {
  const below = relative(root, path)
  if (below === '' || below.startsWith('..') || isAbsolute(below)) return false
  let canonicalRoot = canonicalRoots.get(root)
  if (!canonicalRoot) {
    canonicalRoot = realpath(root).catch(() => {
      canonicalRoots.delete(root) // not there yet: ask again next time
      return undefined
    })
    canonicalRoots.set(root, canonicalRoot)
  }
  const [rootNow, resolved] = await Promise.all([
    canonicalRoot,
    realpath(path).catch(() => undefined),
  ])
  return rootNow !== undefined && resolved === join(rootNow, below)
}

async function walkWithoutLinks(root: string, path: string): Promise<void> {
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
