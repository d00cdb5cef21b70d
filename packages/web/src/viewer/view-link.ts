/**
 * What the main UI hands the genome viewer page: the file's Granary link, its index's link and
 * the contigs, in the URL's fragment (never sent to the server, so signed links stay out of logs).
 */

export type TrackFormat = 'bam' | 'vcf' | 'bed'

export interface ViewRequest {
  readonly name: string
  readonly format: TrackFormat
  readonly url: string
  readonly indexUrl: string
  readonly contigs: readonly { readonly name: string; readonly length: number }[]
}

// CRAM is left out until the viewer hands igv the reference sequence CRAM decoding needs.
const FORMATS: [RegExp, TrackFormat][] = [
  [/\.bam$/i, 'bam'],
  [/\.vcf\.gz$/i, 'vcf'],
  [/\.bed\.gz$/i, 'bed'],
]

/** The track format of a file the viewer can show (indexed BAM, VCF or BED), by its name. */
export function viewableFormat(name: string): TrackFormat | undefined {
  return FORMATS.find(([pattern]) => pattern.test(name))?.[1]
}

/** The viewer page's address for one file. */
export function viewerHref(request: ViewRequest): string {
  const params = new URLSearchParams({
    name: request.name,
    format: request.format,
    url: request.url,
    index: request.indexUrl,
    contigs: request.contigs.map((c) => `${c.name}\t${c.length}`).join('\n'),
  })
  return `/viewer.html#${params}`
}

/** The request in a viewer page's fragment; undefined when something is missing. */
export function parseViewRequest(hash: string): ViewRequest | undefined {
  const params = new URLSearchParams(hash.replace(/^#/, ''))
  const name = params.get('name') ?? ''
  const url = params.get('url') ?? ''
  const indexUrl = params.get('index') ?? ''
  const format = FORMATS.find(([, f]) => f === params.get('format'))?.[1]
  if (!name || !url || !indexUrl || !format) return undefined
  const contigs = (params.get('contigs') ?? '')
    .split('\n')
    .map((line) => line.split('\t'))
    .filter(([contig, length]) => contig && Number(length) > 0)
    .map(([contig, length]) => ({ name: String(contig), length: Number(length) }))
  return { name, format, url, indexUrl, contigs }
}
