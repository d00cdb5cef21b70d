import mime from 'mime-types'

/**
 * Formats of our users that the general MIME database gets wrong or lacks
 * (it maps `.vcf` to vCard, for one).
 */
const SCIENTIFIC_TYPES: Readonly<Record<string, string>> = {
  vcf: 'text/x-vcf',
  bcf: 'application/octet-stream',
  bam: 'application/octet-stream',
  cram: 'application/octet-stream',
  sam: 'text/plain',
  fastq: 'text/plain',
  fq: 'text/plain',
  fasta: 'text/plain',
  fa: 'text/plain',
  fna: 'text/plain',
  bed: 'text/plain',
  gff: 'text/plain',
  gff3: 'text/plain',
  gtf: 'text/plain',
  tsv: 'text/tab-separated-values',
  bai: 'application/octet-stream',
  tbi: 'application/octet-stream',
  gz: 'application/gzip',
}

const GENERIC = 'application/octet-stream'

/** The declared type when it says something, else a guess from the file name. */
export function contentTypeFor(filename: string, declared?: string): string {
  const given = declared?.trim()
  if (given && given.toLowerCase() !== GENERIC && isValidMediaType(given)) return given
  const extension = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase()
  return SCIENTIFIC_TYPES[extension] ?? (mime.lookup(filename) || given || GENERIC)
}

// RFC 9110 media type: token "/" token, then optional parameters.
const MEDIA_TYPE =
  /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+(\s*;\s*[\w!#$%&'*+.^`|~-]+=("[^"\n]*"|[\w!#$%&'*+.^`|~-]+))*$/

export function isValidMediaType(value: string): boolean {
  return value.length <= 255 && MEDIA_TYPE.test(value)
}
