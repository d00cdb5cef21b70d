/** One contig a file declares; `length` is null where the file does not say. */
export interface Contig {
  readonly name: string
  readonly length: number | null
}

/** The `##contig=<ID=...,length=...>` lines of a VCF header, in order (VCF 4.3, 1.4.7). */
export function vcfContigs(header: string): Contig[] {
  const contigs: Contig[] = []
  for (const line of header.split('\n')) {
    if (!line.startsWith('##contig=<')) continue
    const id = /[<,]ID=([^,>]+)/.exec(line)?.[1]
    const length = /[<,]length=(\d+)/.exec(line)?.[1]
    if (id) contigs.push({ name: id, length: length === undefined ? null : Number(length) })
  }
  return contigs
}

/** The sample names: the columns after FORMAT on the `#CHROM` line. */
export function vcfSamples(header: string): string[] {
  const line = header.split('\n').find((text) => text.startsWith('#CHROM'))
  return line ? line.trimEnd().split('\t').slice(9) : []
}

/** The contigs a query may name: the header's, then any the index has that the header lacks. */
export function mergeContigs(declared: readonly Contig[], indexed: readonly string[]): Contig[] {
  const names = new Set(declared.map((contig) => contig.name))
  return [
    ...declared,
    ...indexed.filter((name) => !names.has(name)).map((name) => ({ name, length: null })),
  ]
}
