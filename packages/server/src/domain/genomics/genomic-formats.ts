import { AppError } from '../errors.ts'

/** What Granary can query in place; `tabix` is any other bgzipped, tabix-indexed text. */
export type GenomicFormat = 'vcf' | 'bam' | 'cram' | 'tabix'

/** The format a key names, from its extension (the bytes are checked when read). */
export function formatOf(key: string): GenomicFormat {
  const name = key.toLowerCase()
  if (name.endsWith('.vcf.gz') || name.endsWith('.vcf.bgz')) return 'vcf'
  if (name.endsWith('.bam')) return 'bam'
  if (name.endsWith('.cram')) return 'cram'
  if (name.endsWith('.gz') || name.endsWith('.bgz')) return 'tabix'
  throw new AppError(
    'unsupported_format',
    `'${key}' is not a format Granary queries by region: bgzipped VCF (.vcf.gz), BAM, CRAM or bgzipped tabix-indexed text (.bed.gz, .gff3.gz, ...). Compress text with bgzip and index it with tabix.`,
  )
}

/**
 * The index keys htslib would look for beside `key`, in its order (hts_idx_load: `x.bam.bai`,
 * then `x.bai`, then `x.bam.csi`). The first that exists in the workspace is used.
 */
export function indexCandidates(key: string, format: GenomicFormat): string[] {
  const stem = key.replace(/\.[^./]+$/, '')
  switch (format) {
    case 'bam':
      return [`${key}.bai`, `${stem}.bai`, `${key}.csi`]
    case 'cram':
      return [`${key}.crai`, `${stem}.crai`]
    default:
      return [`${key}.tbi`, `${key}.csi`]
  }
}

/** Whether an index key names a CSI index (else the format's classic one: TBI, BAI or CRAI). */
export function isCsi(indexKey: string): boolean {
  return indexKey.toLowerCase().endsWith('.csi')
}
