/**
 * Small real genomics files made by the htslib tools (samtools, bcftools, tabix/bgzip; `.ci/run`
 * installs them), generated once per process into a temp folder from seeded random text, so no
 * binary fixture is committed and every run sees the same bytes:
 *
 * - `ref.fa` (+ `.fai`): chr1 50 kb and chr2 30 kb of random bases; `ref.fa.gz` (+ `.fai`, `.gzi`)
 * - `reads.bam` (+ `.bai`), `reads-csi.bam` (+ `.csi`), `reads-short.bam` (+ `reads-short.bai`):
 *   3,000 sorted 100 bp reads over both contigs; `reads.cram` (+ `.crai`) against `ref.fa`
 * - `calls.vcf.gz` (+ `.tbi`), `calls-csi.vcf.gz` (+ `.csi`): 1,200 variants, 4 samples
 * - `regions.bed.gz` (+ `.tbi`): 400 intervals
 *
 * Tools reading the CRAM need `-T ref.fa` (htslib would otherwise look the reference up on the
 * network by its MD5). Guard suites with `requires('htslib')`. Usage: `const fx = await genomicsFixtures(); fx.path('reads.bam')`.
 */
import { execFile } from 'node:child_process'
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export const CONTIGS: ReadonlyArray<{ readonly name: string; readonly length: number }> = [
  { name: 'chr1', length: 50_000 },
  { name: 'chr2', length: 30_000 },
]
export const SAMPLES = ['NA001', 'NA002', 'NA003', 'NA004'] as const

export interface GenomicsFixtures {
  /** The folder holding every file below. */
  readonly dir: string
  /** Every generated file name (data files and their indexes), sorted. */
  readonly names: readonly string[]
  /** Absolute path of one of `names`. */
  path(name: string): string
}

let made: Promise<GenomicsFixtures> | undefined

/** The fixtures, generated on first call and shared by the whole process (removed at exit). */
export function genomicsFixtures(): Promise<GenomicsFixtures> {
  made ??= generate()
  return made
}

async function generate(): Promise<GenomicsFixtures> {
  const dir = mkdtempSync(join(tmpdir(), 'granary-genomics-'))
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }))
  const at = (name: string) => join(dir, name)
  const rand = seeded(15)
  const genome = CONTIGS.map((c) => ({ ...c, seq: randomBases(rand, c.length) }))
  writeFileSync(at('ref.fa'), fasta(genome))
  writeFileSync(at('reads.sam'), sam(genome, rand))
  writeFileSync(at('calls.vcf'), vcf(genome, rand))
  writeFileSync(at('regions.bed'), bed(rand))
  await references(at) // the CRAM needs ref.fa.fai
  await Promise.all([alignments(at), variants(at), intervals(at)])
  for (const scratch of ['reads.sam', 'calls.vcf', 'regions.bed']) rmSync(at(scratch))
  const names = [
    ...['ref.fa', 'ref.fa.fai', 'ref.fa.gz', 'ref.fa.gz.fai', 'ref.fa.gz.gzi'],
    ...['reads.bam', 'reads.bam.bai', 'reads-csi.bam', 'reads-csi.bam.csi'],
    ...['reads-short.bam', 'reads-short.bai', 'reads.cram', 'reads.cram.crai'],
    ...['calls.vcf.gz', 'calls.vcf.gz.tbi', 'calls-csi.vcf.gz', 'calls-csi.vcf.gz.csi'],
    ...['regions.bed.gz', 'regions.bed.gz.tbi'],
  ].sort()
  return Object.freeze({ dir, names: Object.freeze(names), path: at })
}

async function references(at: (name: string) => string): Promise<void> {
  await run('samtools', ['faidx', at('ref.fa')])
  await bgzip(at('ref.fa'), at('ref.fa.gz'))
  await run('samtools', ['faidx', at('ref.fa.gz')]) // writes ref.fa.gz.fai and ref.fa.gz.gzi
}

async function alignments(at: (name: string) => string): Promise<void> {
  await run('samtools', ['sort', '-o', at('reads.bam'), at('reads.sam')])
  copyFileSync(at('reads.bam'), at('reads-csi.bam'))
  copyFileSync(at('reads.bam'), at('reads-short.bam'))
  await run('samtools', ['index', at('reads.bam')])
  await run('samtools', ['index', '-c', at('reads-csi.bam')])
  // htslib also finds `x.bai` beside `x.bam`.
  await run('samtools', ['index', at('reads-short.bam'), at('reads-short.bai')])
  const cram = ['view', '-C', '-T', at('ref.fa'), '-o', at('reads.cram'), at('reads.bam')]
  await run('samtools', cram)
  await run('samtools', ['index', at('reads.cram')])
}

async function variants(at: (name: string) => string): Promise<void> {
  await bgzip(at('calls.vcf'), at('calls.vcf.gz'))
  copyFileSync(at('calls.vcf.gz'), at('calls-csi.vcf.gz'))
  await run('tabix', ['-p', 'vcf', at('calls.vcf.gz')])
  await run('bcftools', ['index', '--csi', at('calls-csi.vcf.gz')])
}

async function intervals(at: (name: string) => string): Promise<void> {
  await bgzip(at('regions.bed'), at('regions.bed.gz'))
  await run('tabix', ['-p', 'bed', at('regions.bed.gz')])
}

async function bgzip(from: string, to: string): Promise<void> {
  // `bgzip -c` writes to stdout; keep the input (the FASTA stays as ref.fa too).
  const { stdout } = await run('bgzip', ['-c', from], {
    encoding: 'buffer',
    maxBuffer: 64 << 20,
  })
  writeFileSync(to, stdout)
}

type Rand = () => number
interface Contig {
  readonly name: string
  readonly length: number
  readonly seq: string
}

/** mulberry32: a tiny seeded PRNG, so the fixtures are the same on every run. */
function seeded(seed: number): Rand {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const int = (rand: Rand, n: number) => Math.floor(rand() * n)
const pick = <T>(rand: Rand, items: readonly T[]): T => items[int(rand, items.length)] as T

function randomBases(rand: Rand, n: number): string {
  let out = ''
  for (let i = 0; i < n; i++) out += pick(rand, ['A', 'C', 'G', 'T'])
  return out
}

function fasta(genome: readonly Contig[]): string {
  return genome.map((c) => `>${c.name}\n${(c.seq.match(/.{1,60}/g) ?? []).join('\n')}\n`).join('')
}

const READ_LENGTH = 100

function sam(genome: readonly Contig[], rand: Rand): string {
  const header = genome.map((c) => `@SQ\tSN:${c.name}\tLN:${c.length}`)
  const lines = ['@HD\tVN:1.6\tSO:unsorted', ...header, '@RG\tID:rg1\tSM:NA001']
  for (let i = 0; i < 3000; i++) {
    const contig = i % 5 < 3 ? (genome[0] as Contig) : (genome[1] as Contig)
    const pos = int(rand, contig.length - READ_LENGTH) + 1
    const reverse = rand() < 0.5
    const seq = mutate(rand, contig.seq.slice(pos - 1, pos - 1 + READ_LENGTH))
    const qual = Array.from({ length: READ_LENGTH }, () => String.fromCharCode(53 + int(rand, 20)))
    const fields = [`read${i}`, reverse ? 16 : 0, contig.name, pos, 20 + int(rand, 40)]
    lines.push([...fields, `${READ_LENGTH}M`, '*', 0, 0, seq, qual.join(''), 'RG:Z:rg1'].join('\t'))
  }
  return `${lines.join('\n')}\n`
}

/** About one mismatch in fifty bases, so the CRAM has real differences to store. */
function mutate(rand: Rand, seq: string): string {
  return [...seq].map((b) => (rand() < 0.02 ? pick(rand, ['A', 'C', 'G', 'T']) : b)).join('')
}

function vcf(genome: readonly Contig[], rand: Rand): string {
  const header = [
    '##fileformat=VCFv4.2',
    ...genome.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Total depth">',
    '##FILTER=<ID=q10,Description="Quality below 10">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    ['#CHROM', 'POS', 'ID', 'REF', 'ALT', 'QUAL', 'FILTER', 'INFO', 'FORMAT', ...SAMPLES].join(
      '\t',
    ),
  ]
  const rows: string[] = []
  for (const contig of genome) {
    // Sorted positions, unique per contig, spread over the whole contig.
    const count = Math.round((1200 * contig.length) / 80_000)
    const positions = new Set<number>()
    while (positions.size < count) positions.add(int(rand, contig.length) + 1)
    for (const pos of [...positions].sort((a, b) => a - b)) rows.push(variant(contig, pos, rand))
  }
  return `${[...header, ...rows].join('\n')}\n`
}

function variant(contig: Contig, pos: number, rand: Rand): string {
  const ref = contig.seq[pos - 1] ?? 'N'
  const alt = pick(
    rand,
    ['A', 'C', 'G', 'T'].filter((b) => b !== ref),
  )
  const genotypes = SAMPLES.map(
    () => `${pick(rand, ['0/0', '0/1', '1/1', './.'])}:${int(rand, 60)}`,
  )
  const qual = int(rand, 100)
  const fields = [contig.name, pos, rand() < 0.3 ? `rs${int(rand, 1e6)}` : '.', ref, alt, qual]
  const rest = [qual < 10 ? 'q10' : 'PASS', `DP=${int(rand, 200)}`, 'GT:DP', ...genotypes]
  return [...fields, ...rest].join('\t')
}

function bed(rand: Rand): string {
  const rows: string[] = []
  for (const contig of CONTIGS) {
    const starts = Array.from({ length: 200 }, () => int(rand, contig.length - 2000))
    for (const start of starts.sort((a, b) => a - b)) {
      const end = start + 50 + int(rand, 1500)
      rows.push([contig.name, start, end, `feature${rows.length}`, int(rand, 1000), '+'].join('\t'))
    }
  }
  return `${rows.join('\n')}\n`
}
