/**
 * The genome viewer page (/viewer.html): igv.js over a file's Granary link and its index's link.
 * A page of its own, because igv inserts <style> elements: only this page's CSP allows inline
 * styles, the main UI's stays strict. No genome is fetched from the internet: the reference is the
 * file's own contigs (names and lengths, from the header), a sequence-less chrom-sizes reference.
 */
import igv from 'igv'
import { parseViewRequest, type ViewRequest } from './view-link.ts'

type CreateOptions = Parameters<typeof igv.createBrowser>[1]

const status = document.getElementById('status') as HTMLElement
const title = document.getElementById('title') as HTMLElement

/** The first window shown: the start of the first contig (igv hides dense tracks zoomed out). */
function firstLocus(request: ViewRequest): string {
  const first = request.contigs[0]
  if (!first) return 'all'
  return `${first.name}:1-${Math.min(first.length, 10_000)}`
}

const TRACK_TYPES = { bam: 'alignment', vcf: 'variant', bed: 'annotation' } as const

function browserOptions(request: ViewRequest): CreateOptions {
  const sizes = request.contigs.map((c) => `${c.name}\t${c.length}\n`).join('')
  const reference = {
    id: request.name,
    name: request.name,
    format: 'chromsizes',
    fastaURL: URL.createObjectURL(new Blob([sizes], { type: 'text/plain' })),
    wholeGenomeView: false,
  }
  const track = {
    name: request.name,
    type: TRACK_TYPES[request.format],
    format: request.format,
    url: request.url,
    indexURL: request.indexUrl,
  }
  const options = {
    reference,
    locus: firstLocus(request),
    tracks: [track],
    loadDefaultGenomes: false,
    showIdeogram: false,
  }
  return options as unknown as CreateOptions
}

async function start(): Promise<void> {
  const request = parseViewRequest(location.hash)
  if (!request) {
    status.textContent = 'Nothing to show: open the viewer from a file\'s "View" button.'
    return
  }
  title.textContent = request.name
  document.title = `${request.name} · Granary viewer`
  if (request.contigs.length === 0) {
    status.textContent = `${request.name} names no contigs in its header, so it cannot be shown.`
    return
  }
  const root = document.getElementById('igv') as HTMLElement
  await igv.createBrowser(root, browserOptions(request))
  status.textContent = `Showing ${request.name}`
}

start().catch((err: unknown) => {
  status.textContent = `Could not show the file: ${err instanceof Error ? err.message : String(err)}`
})
