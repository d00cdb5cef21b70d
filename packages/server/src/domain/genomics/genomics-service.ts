import type { Principal } from '../auth.ts'
import { AppError } from '../errors.ts'
import type { FileService } from '../file-service.ts'
import type { BlobStore, FileRecord, MetadataStore } from '../ports.ts'
import type { BlobSource } from './blob-filehandle.ts'
import type { GenomicFile } from './genomic-file.ts'
import { formatOf, type GenomicFormat, indexCandidates, isCsi } from './genomic-formats.ts'
import type { IndexCache } from './index-cache.ts'
import { type QueryOutput, queryRecords } from './query-stream.ts'
import { ReadMeter } from './read-meter.ts'
import { parseRegion } from './regions.ts'
import type { Contig } from './vcf-header.ts'

export interface GenomicsServiceDeps {
  readonly metadata: MetadataStore
  readonly blobs: BlobStore
  readonly files: FileService
  readonly cache: IndexCache
}

export interface RegionQuery {
  readonly workspaceId: string
  readonly key: string
  readonly regions: readonly string[]
  readonly limit: number | undefined
  readonly format: 'text' | 'json'
  readonly header: boolean
  readonly referenceKey: string | undefined
  readonly signal?: AbortSignal
}

export interface GenomicHeader {
  readonly format: GenomicFormat
  readonly header: string
  readonly contigs: readonly Contig[]
  readonly samples: readonly string[]
}

/**
 * Region queries and headers of genomic files where they are stored: the index beside the file
 * says which byte ranges to read, and only those are read from the blob store.
 */
export class GenomicsService {
  readonly #deps: GenomicsServiceDeps

  constructor(deps: GenomicsServiceDeps) {
    this.#deps = deps
  }

  /** Everything that can fail (access, format, index, regions) fails before the first byte. */
  async query(principal: Principal, request: RegionQuery): Promise<QueryOutput> {
    const meter = new ReadMeter()
    const opened = await this.#open(principal, request, { meter, needIndex: true })
    const names = opened.contigs.map((contig) => contig.name)
    const onePosition = opened.format === 'vcf' // as bcftools reads chr1:1000
    const regions = request.regions.map((text) => parseRegion(text, names, { onePosition }))
    return queryRecords(opened, { ...request, regions, meter })
  }

  async header(
    principal: Principal,
    request: { workspaceId: string; key: string; signal?: AbortSignal },
  ): Promise<GenomicHeader> {
    const opened = await this.#open(principal, request, {
      meter: new ReadMeter(),
      needIndex: false,
    })
    return {
      format: opened.format,
      header: await opened.headerText(request.signal),
      contigs: opened.contigs,
      samples: opened.samples,
    }
  }

  async #open(
    principal: Principal,
    request: {
      workspaceId: string
      key: string
      referenceKey?: string | undefined
      signal?: AbortSignal
    },
    options: { meter: ReadMeter; needIndex: boolean },
  ): Promise<GenomicFile> {
    const file = await this.#deps.files.get(
      principal,
      'files:read',
      request.workspaceId,
      request.key,
    )
    const format = formatOf(file.key)
    const index = await this.#findIndex(file, format, options.needIndex)
    const source = (record: FileRecord): BlobSource => ({
      blobs: this.#deps.blobs,
      blobName: record.blobName,
      size: record.size,
      meter: options.meter,
    })
    // The format readers (and the @gmod parsers behind them, ~13 MB resident) load on a server's
    // first region query, not at start-up: most servers never run one.
    if (format === 'vcf' || format === 'tabix') {
      const { openTabixFile } = await import('./tabix-file.ts')
      return openTabixFile(
        {
          data: source(file),
          index: index && source(index),
          csi: index ? isCsi(index.key) : false,
          vcf: format === 'vcf',
          cache: this.#deps.cache,
        },
        request.signal,
      )
    }
    if (format === 'bam') {
      const csi = index ? isCsi(index.key) : false
      const { openBamFile } = await import('./bam-file.ts')
      return openBamFile(
        { data: source(file), index: index && source(index), csi, cache: this.#deps.cache },
        request.signal,
      )
    }
    const reference = await this.#reference(principal, request, options.needIndex)
    const { openCramFile } = await import('./cram-file.ts')
    return openCramFile({
      data: source(file),
      index: index && source(index),
      reference: reference && { fasta: source(reference.fasta), fai: source(reference.fai) },
    })
  }

  /** A CRAM query's reference: the FASTA named by reference_key and its .fai beside it. */
  async #reference(
    principal: Principal,
    request: { workspaceId: string; referenceKey?: string | undefined },
    required: boolean,
  ): Promise<{ fasta: FileRecord; fai: FileRecord } | undefined> {
    if (!request.referenceKey) {
      if (!required) return undefined
      throw new AppError(
        'invalid_request',
        'A CRAM query needs reference_key: the key of its reference FASTA (with a .fai beside it) in this workspace.',
      )
    }
    const fasta = await this.#deps.files.get(
      principal,
      'files:read',
      request.workspaceId,
      request.referenceKey,
    )
    const faiKey = `${fasta.key}.fai`
    const fai = await this.#deps.metadata.getFile(request.workspaceId, faiKey)
    if (!fai) {
      throw new AppError(
        'index_missing',
        `The reference '${fasta.key}' has no index: upload ${faiKey} (samtools faidx).`,
        {
          details: { looked_for: [faiKey] },
        },
      )
    }
    return { fasta, fai }
  }

  /** The first index htslib would use that exists beside the file in its workspace. */
  async #findIndex(
    file: FileRecord,
    format: GenomicFormat,
    required: boolean,
  ): Promise<FileRecord | undefined> {
    const candidates = indexCandidates(file.key, format)
    const found = await this.#deps.metadata.getFiles(file.workspaceId, candidates)
    const index = candidates
      .map((key) => found.find((record) => record.key === key))
      .find((record) => record !== undefined)
    if (index || !required) return index
    throw new AppError(
      'index_missing',
      `'${file.key}' has no index beside it: upload one of ${candidates.join(', ')} (made by ${format === 'bam' || format === 'cram' ? 'samtools index' : 'tabix or bcftools index'}).`,
      { details: { looked_for: candidates } },
    )
  }
}
