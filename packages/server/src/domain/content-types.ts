import mime from 'mime-types'

/**
 * The formats of our users, by file-name ending (longest ending first), which the general MIME
 * database gets wrong or lacks: it calls `.vcf` a vCard, and knows no `.bam` or `.fai`.
 * Compressed text formats (bgzip is gzip) are application/gzip.
 */
const SCIENTIFIC_TYPES: ReadonlyArray<readonly [string, string]> = [
  ['.vcf.gz', 'application/gzip'],
  ['.vcf.bgz', 'application/gzip'],
  ['.fastq.gz', 'application/gzip'],
  ['.fq.gz', 'application/gzip'],
  ['.fa.gz', 'application/gzip'],
  ['.fasta.gz', 'application/gzip'],
  ['.bed.gz', 'application/gzip'],
  ['.gff3.gz', 'application/gzip'],
  ['.gtf.gz', 'application/gzip'],
  ['.vcf', 'text/x-vcf'],
  ['.bcf', 'application/octet-stream'],
  ['.bam', 'application/octet-stream'],
  ['.bai', 'application/octet-stream'],
  ['.cram', 'application/octet-stream'],
  ['.crai', 'application/octet-stream'],
  ['.tbi', 'application/octet-stream'],
  ['.csi', 'application/octet-stream'],
  ['.sam', 'text/plain'],
  ['.fastq', 'text/plain'],
  ['.fq', 'text/plain'],
  ['.fasta', 'text/plain'],
  ['.fa', 'text/plain'],
  ['.fna', 'text/plain'],
  ['.faa', 'text/plain'],
  ['.fai', 'text/tab-separated-values'],
  ['.bed', 'text/plain'],
  ['.gff', 'text/plain'],
  ['.gff3', 'text/plain'],
  ['.gtf', 'text/plain'],
  ['.tsv', 'text/tab-separated-values'],
  ['.parquet', 'application/vnd.apache.parquet'],
  ['.h5', 'application/x-hdf5'],
  ['.hdf5', 'application/x-hdf5'],
  ['.h5ad', 'application/x-hdf5'],
  ['.loom', 'application/x-hdf5'],
  ['.bgz', 'application/gzip'],
  ['.gz', 'application/gzip'],
]

const GENERIC = 'application/octet-stream'

/**
 * Types a client sends without knowing the format: the generic one, and what browsers and
 * Python's mimetypes guess from the name (a `.vcf` is not a vCard). For a known format the
 * server's type replaces them, so every client stores the same type for the same file.
 */
const GUESSES = new Set([
  GENERIC,
  'binary/octet-stream',
  'text/vcard',
  'text/x-vcard',
  'text/directory',
  'application/x-gzip',
  'application/gzip',
])

/** The declared type when it says something, else the server's type for the file name. */
export function contentTypeFor(filename: string, declared?: string): string {
  const given = declared?.trim()
  const known = knownType(filename)
  if (given && isValidMediaType(given) && !(known && isGuess(given))) {
    return given.toLowerCase() === GENERIC ? (known ?? guess(filename) ?? GENERIC) : given
  }
  return known ?? guess(filename) ?? (given && isValidMediaType(given) ? given : GENERIC)
}

function knownType(filename: string): string | undefined {
  const name = filename.toLowerCase()
  return SCIENTIFIC_TYPES.find(([ending]) => name.endsWith(ending))?.[1]
}

function guess(filename: string): string | undefined {
  return mime.lookup(filename) || undefined
}

function isGuess(type: string): boolean {
  return GUESSES.has(type.split(';')[0]?.trim().toLowerCase() ?? '')
}

// RFC 9110 media type: token "/" token, then optional parameters.
const MEDIA_TYPE =
  /^[\w!#$%&'*+.^`|~-]+\/[\w!#$%&'*+.^`|~-]+(\s*;\s*[\w!#$%&'*+.^`|~-]+=("[^"\n]*"|[\w!#$%&'*+.^`|~-]+))*$/

export function isValidMediaType(value: string): boolean {
  return value.length <= 255 && MEDIA_TYPE.test(value)
}
