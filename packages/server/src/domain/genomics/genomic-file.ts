import type { Located } from './bgzf-chunks.ts'
import type { Region } from './regions.ts'
import type { Contig } from './vcf-header.ts'

/** What a query reads from one opened file, whatever its format. */
export interface GenomicFile {
  readonly format: 'vcf' | 'bam' | 'cram' | 'tabix'
  /** Every contig a region may name, in the file's order. */
  readonly contigs: readonly Contig[]
  readonly samples: readonly string[]
  /** The header as the tools print it with -h, line by line with newlines. */
  headerText(signal?: AbortSignal): Promise<string>
  /** The records overlapping `region`, in file order, each with its virtual offset. */
  records(region: Region, signal?: AbortSignal): AsyncIterable<Located<GenomicRecord>>
  /**
   * Whether several regions are sorted, merged and each record printed once (bcftools) or
   * printed region by region as asked (samtools, tabix).
   */
  readonly mergesRegions: boolean
}

/** One record: its text line as the tools print it (no newline) and its parsed form. */
export interface GenomicRecord {
  text(): Buffer
  json(): unknown
}
