/**
 * Files out of a drop: plain files, and whole folders walked through the File and Directory
 * Entries API (webkitGetAsEntry), each file with its path relative to the dropped folder.
 */

export interface PickedFile {
  file: File
  /** `run1/lane1/a.fastq` for a file inside a dropped or picked folder. */
  relativePath?: string
}

export async function filesFromDrop(data: DataTransfer): Promise<PickedFile[]> {
  const items = [...data.items].filter((item) => item.kind === 'file')
  // Entries must be taken synchronously, before the first await ends the drop event.
  const entries = items.map((item) => ({ entry: item.webkitGetAsEntry(), file: item.getAsFile() }))
  const out: PickedFile[] = []
  for (const { entry, file } of entries) {
    if (entry?.isDirectory) await walk(entry as FileSystemDirectoryEntry, out)
    else if (file) out.push({ file })
  }
  return out
}

/** Files from `<input type=file>`, keeping folder paths when a folder was picked. */
export function filesFromInput(list: FileList): PickedFile[] {
  return [...list].map((file) =>
    file.webkitRelativePath ? { file, relativePath: file.webkitRelativePath } : { file },
  )
}

async function walk(dir: FileSystemDirectoryEntry, out: PickedFile[]): Promise<void> {
  for (const entry of await readAll(dir)) {
    if (entry.isDirectory) {
      await walk(entry as FileSystemDirectoryEntry, out)
    } else {
      const file = await new Promise<File>((resolve, reject) =>
        (entry as FileSystemFileEntry).file(resolve, reject),
      )
      out.push({ file, relativePath: entry.fullPath.replace(/^\//, '') })
    }
  }
}

/** readEntries answers in batches (100 in Chrome) until it answers an empty one. */
async function readAll(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader()
  const all: FileSystemEntry[] = []
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject),
    )
    if (batch.length === 0) return all
    all.push(...batch)
  }
}
