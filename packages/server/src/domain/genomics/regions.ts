import { AppError } from '../errors.ts'

/** A region in 0-based half-open coordinates; `end` undefined means to the contig's end. */
export interface Region {
  readonly contig: string
  readonly start: number
  readonly end: number | undefined
}

const COORDINATES = /^(\d[\d,]*)?(?:(-)(\d[\d,]*)?)?$/

/**
 * Parses a region as samtools, bcftools and tabix do (htslib's hts_parse_region): `chr1`,
 * `chr1:1000` (to the end), `chr1:1000-2000`, `chr1:1,000-2,000`, 1-based and inclusive; a
 * contig whose own name has a colon may be written `{HLA-A*01:01}:1-100`. A name the file knows
 * as a whole wins over a split at its last colon, like htslib. bcftools reads `chr1:1000` as the
 * one position 1000 (`chr1:1000-` to the end): `onePosition` asks for that reading.
 */
export function parseRegion(
  text: string,
  contigs: readonly string[],
  options: { onePosition?: boolean } = {},
): Region {
  const known = new Set(contigs)
  const { contig, coordinates } = splitRegion(text, known)
  if (!known.has(contig)) throw unknownContig(text, contig, contigs)
  if (coordinates === undefined) return { contig, start: 0, end: undefined }
  const match = COORDINATES.exec(coordinates)
  if (!match || (!match[1] && !match[3])) throw malformed(text, contigs)
  const start = match[1] ? toNumber(match[1]) : 1
  const point = options.onePosition && !match[2]
  const end = match[3] ? toNumber(match[3]) : point ? start : undefined
  const valid = start >= 1 && (end === undefined || end >= start)
  if (!valid || Number.isNaN(start) || Number.isNaN(end)) throw malformed(text, contigs)
  return { contig, start: start - 1, end }
}

function splitRegion(text: string, known: ReadonlySet<string>) {
  const braced = /^\{([^}]+)\}(?::(.*))?$/.exec(text)
  if (braced) return { contig: braced[1] ?? '', coordinates: braced[2] }
  if (known.has(text)) return { contig: text, coordinates: undefined }
  const colon = text.lastIndexOf(':')
  if (colon <= 0) return { contig: text, coordinates: undefined }
  return { contig: text.slice(0, colon), coordinates: text.slice(colon + 1) }
}

function toNumber(digits: string): number {
  const value = Number(digits.replaceAll(',', ''))
  return Number.isSafeInteger(value) ? value : Number.NaN
}

const SHOWN_CONTIGS = 10

function malformed(region: string, contigs: readonly string[]): AppError {
  return new AppError(
    'invalid_region',
    `Region '${region}' is malformed: write chr1, chr1:1000 or chr1:1000-2000 (1-based, inclusive).`,
    { details: { region, known_contigs: contigs.slice(0, SHOWN_CONTIGS) } },
  )
}

function unknownContig(region: string, contig: string, contigs: readonly string[]): AppError {
  const some = contigs.slice(0, SHOWN_CONTIGS)
  const more = contigs.length > some.length ? ', ...' : ''
  return new AppError(
    'invalid_region',
    `The file has no contig '${contig}' (region '${region}'); it has ${some.join(', ')}${more}.`,
    { details: { region, known_contigs: some } },
  )
}
