/** Copying a data folder's parts without copying bytes where the file system allows. */
import { copyFile, link, mkdir, readdir } from 'node:fs/promises'
import { dirname, join } from 'node:path'

export interface LinkCounts {
  linked: number
  copied: number
}

/**
 * Recreates the tree of regular files under `from` in `to`: each file hard-linked, or copied
 * when the two folders are on different file systems (EXDEV) or links are not allowed. Symbolic
 * links are skipped: the local store never follows them.
 */
export async function linkTree(from: string, to: string): Promise<LinkCounts> {
  const counts: LinkCounts = { linked: 0, copied: 0 }
  await mkdir(to, { recursive: true })
  const entries = await readdir(from, { withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return []
      throw error
    },
  )
  for (const entry of entries) {
    const source = join(from, entry.name)
    const target = join(to, entry.name)
    if (entry.isDirectory()) {
      const inner = await linkTree(source, target)
      counts.linked += inner.linked
      counts.copied += inner.copied
    } else if (entry.isFile()) {
      const outcome = await linkFile(source, target)
      if (outcome !== 'gone') counts[outcome]++
    }
  }
  return counts
}

/**
 * Hard-links one file (copies it across file systems), making its folder. A source deleted
 * meanwhile is 'gone': the caller checks what it needed is there.
 */
export async function linkFile(source: string, target: string): Promise<keyof LinkCounts | 'gone'> {
  await mkdir(dirname(target), { recursive: true })
  try {
    await link(source, target)
    return 'linked'
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return 'gone'
    if (code !== 'EXDEV' && code !== 'EPERM' && code !== 'EMLINK') throw error
  }
  try {
    await copyFile(source, target)
    return 'copied'
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone'
    throw error
  }
}

/** Copies the regular files directly in `from` (the signing secret, ...) into `to`. */
export async function copyTopLevelFiles(
  from: string,
  to: string,
  options: { skip: (name: string) => boolean },
): Promise<string[]> {
  const copied: string[] = []
  for (const entry of await readdir(from, { withFileTypes: true })) {
    if (!entry.isFile() || options.skip(entry.name)) continue
    await copyFile(join(from, entry.name), join(to, entry.name))
    copied.push(entry.name)
  }
  return copied
}
