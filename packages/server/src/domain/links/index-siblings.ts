/**
 * Which files a Granary link serves besides its own: the indexes htslib looks for beside a data
 * file. htslib (hts.c, `hts_idx_getfn`) appends the index extension to the URL it was given
 * (`x.bam` -> `x.bam.bai`), and when that fails replaces the last extension (`x.bai`); IGV does the
 * same. Only these names, in the data file's folder, are ever served under its link.
 */
import type { FileRecord, MetadataStore } from '../ports.ts'

interface IndexRule {
  /** The data file's name ends like this. */
  readonly data: RegExp
  /** Index names made by appending, in the order an index is looked for. */
  readonly appended: readonly string[]
  /** Index names made by replacing the last extension (`x.bam` -> `x.bai`), and that extension. */
  readonly replaced: readonly string[]
  readonly extension?: string
}

// The first matching rule wins: a bgzipped FASTA is a FASTA, not a tabix file.
const RULES: readonly IndexRule[] = [
  { data: /\.bam$/i, appended: ['.bai', '.csi'], replaced: ['.bai', '.csi'], extension: '.bam' },
  { data: /\.cram$/i, appended: ['.crai'], replaced: ['.crai'], extension: '.cram' },
  { data: /\.(fa|fasta|fna)$/i, appended: ['.fai'], replaced: [] },
  { data: /\.(fa|fasta|fna)\.(gz|bgz)$/i, appended: ['.fai', '.gzi'], replaced: [] },
  { data: /\.bcf$/i, appended: ['.csi'], replaced: [] },
  // Tabix-indexed text: VCF, BED, GFF, ... bgzipped.
  { data: /\.(gz|bgz)$/i, appended: ['.tbi', '.csi'], replaced: [] },
]

/** The index keys a data file may have, most usual first; none for other files. */
export function indexSiblings(key: string): string[] {
  const rule = RULES.find((r) => r.data.test(key))
  if (!rule) return []
  const stem = key.slice(0, key.lastIndexOf('.'))
  return [
    ...rule.appended.map((suffix) => `${key}${suffix}`),
    ...rule.replaced.map((suffix) => `${stem}${suffix}`),
  ]
}

/** The file's index in its folder, if it has one (the first of indexSiblings that exists). */
export async function findIndexFile(
  metadata: Pick<MetadataStore, 'getFile'>,
  file: FileRecord,
): Promise<FileRecord | undefined> {
  for (const key of indexSiblings(file.key)) {
    const index = await metadata.getFile(file.workspaceId, key)
    if (index) return index
  }
  return undefined
}

/** The keys whose link could serve `key`: itself, and the data files it could be an index of. */
export function dataKeysServing(key: string): string[] {
  const candidates = new Set([key])
  for (const rule of RULES) {
    for (const suffix of rule.appended) {
      if (key.endsWith(suffix)) candidates.add(key.slice(0, -suffix.length))
    }
    for (const suffix of rule.replaced) {
      const stem = key.slice(0, -suffix.length)
      if (key.endsWith(suffix)) candidates.add(`${stem}${rule.extension ?? ''}`)
    }
  }
  return [...candidates].filter((data) => data === key || indexSiblings(data).includes(key))
}
