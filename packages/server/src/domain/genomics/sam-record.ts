/**
 * One BAM record (SAM spec 4.2.1) decoded from its bytes, as `samtools view` prints it and as
 * JSON. `bytes` starts at the record's block_size field.
 */
const CIGAR_OPS = 'MIDNSHP=XB'
const BASES = '=ACMGRSVTWYHKDBN'

export interface SamFields {
  readonly refId: number
  /** 0-based leftmost position. */
  readonly pos: number
  /** 0-based exclusive end on the reference (htslib's bam_endpos). */
  readonly end: number
}

/** The coordinates a region iterator needs, without decoding the rest. */
export function samFields(bytes: Buffer): SamFields {
  const refId = bytes.readInt32LE(4)
  const pos = bytes.readInt32LE(8)
  const flag = bytes.readUInt16LE(18)
  const unmapped = (flag & 4) !== 0
  const length = unmapped ? 0 : referenceLength(bytes)
  return { refId, pos, end: length > 0 ? pos + length : pos + 1 }
}

function referenceLength(bytes: Buffer): number {
  let length = 0
  for (const [count, op] of cigarOps(bytes)) if ('MDN=X'.includes(op)) length += count
  return length
}

function* cigarOps(bytes: Buffer): Generator<[number, string]> {
  const at = 36 + bytes.readUInt8(12)
  const count = bytes.readUInt16LE(16)
  for (let i = 0; i < count; i++) {
    const packed = bytes.readUInt32LE(at + 4 * i)
    yield [packed >>> 4, CIGAR_OPS[packed & 0xf] ?? '?']
  }
}

interface Layout {
  readonly nameLength: number
  readonly cigarCount: number
  readonly seqLength: number
  readonly seqAt: number
  readonly qualAt: number
  readonly tagsAt: number
}

function layout(bytes: Buffer): Layout {
  const nameLength = bytes.readUInt8(12)
  const cigarCount = bytes.readUInt16LE(16)
  const seqLength = bytes.readInt32LE(20)
  const seqAt = 36 + nameLength + 4 * cigarCount
  const qualAt = seqAt + ((seqLength + 1) >> 1)
  return { nameLength, cigarCount, seqLength, seqAt, qualAt, tagsAt: qualAt + seqLength }
}

/** The record's fields, decoded once for both the text line and JSON. */
export interface SamRecord {
  readonly name: string
  readonly flag: number
  readonly chrom: string
  readonly pos: number
  readonly mapq: number
  readonly cigar: string
  readonly mate: { readonly chrom: string; readonly pos: number }
  readonly tlen: number
  readonly seq: string
  readonly qual: string
  readonly tags: readonly SamTag[]
}

export interface SamTag {
  readonly tag: string
  readonly type: string
  readonly value: string | number | readonly number[]
  /** As SAM text prints it after `TAG:`. */
  readonly text: string
}

export function decodeSam(bytes: Buffer, refNames: readonly string[]): SamRecord {
  const l = layout(bytes)
  const refId = bytes.readInt32LE(4)
  const mateRefId = bytes.readInt32LE(24)
  const refName = (id: number) => (id < 0 ? '*' : (refNames[id] ?? '*'))
  return {
    name: bytes.toString('latin1', 36, 36 + l.nameLength - 1),
    flag: bytes.readUInt16LE(18),
    chrom: refName(refId),
    pos: bytes.readInt32LE(8) + 1,
    mapq: bytes.readUInt8(13),
    cigar: l.cigarCount === 0 ? '*' : [...cigarOps(bytes)].map(([n, op]) => `${n}${op}`).join(''),
    mate: {
      chrom: mateRefId < 0 ? '*' : mateRefId === refId ? '=' : refName(mateRefId),
      pos: bytes.readInt32LE(28) + 1,
    },
    tlen: bytes.readInt32LE(32),
    seq: sequence(bytes, l),
    qual: quality(bytes, l),
    tags: [...tags(bytes, l.tagsAt)],
  }
}

/** `samtools view`'s line (htslib sam_format1), without the newline. */
export function samText(record: SamRecord): string {
  const fields = [
    record.name,
    record.flag,
    record.chrom,
    record.pos,
    record.mapq,
    record.cigar,
    record.mate.chrom,
    record.mate.pos,
    record.tlen,
    record.seq,
    record.qual,
    ...record.tags.map((tag) => `${tag.tag}:${tag.text}`),
  ]
  return fields.join('\t')
}

function sequence(bytes: Buffer, l: Layout): string {
  if (l.seqLength === 0) return '*'
  let out = ''
  for (let i = 0; i < l.seqLength; i++) {
    const byte = bytes.readUInt8(l.seqAt + (i >> 1))
    out += BASES[i % 2 === 0 ? byte >> 4 : byte & 0xf]
  }
  return out
}

function quality(bytes: Buffer, l: Layout): string {
  if (l.seqLength === 0 || bytes.readUInt8(l.qualAt) === 0xff) return '*'
  let out = ''
  for (let i = 0; i < l.seqLength; i++)
    out += String.fromCharCode(bytes.readUInt8(l.qualAt + i) + 33)
  return out
}

const INTEGER_SIZES: Record<string, number> = { c: 1, C: 1, s: 2, S: 2, i: 4, I: 4 }

function* tags(bytes: Buffer, from: number): Generator<SamTag> {
  let at = from
  while (at + 3 <= bytes.length) {
    const tag = bytes.toString('latin1', at, at + 2)
    const type = String.fromCharCode(bytes.readUInt8(at + 2))
    const read = tagValue(bytes, at + 3, type)
    yield { tag, ...read.tag }
    at = read.next
  }
}

function tagValue(bytes: Buffer, at: number, type: string) {
  const size = INTEGER_SIZES[type]
  if (size) {
    const value = integer(bytes, at, type)
    return { tag: { type: 'i', value, text: `i:${value}` }, next: at + size }
  }
  switch (type) {
    case 'A': {
      const value = String.fromCharCode(bytes.readUInt8(at))
      return { tag: { type, value, text: `A:${value}` }, next: at + 1 }
    }
    case 'f': {
      const value = bytes.readFloatLE(at)
      return { tag: { type, value, text: `f:${formatG(value)}` }, next: at + 4 }
    }
    case 'd': {
      const value = bytes.readDoubleLE(at)
      return { tag: { type, value, text: `d:${formatG(value)}` }, next: at + 8 }
    }
    case 'Z':
    case 'H': {
      const end = bytes.indexOf(0, at)
      const value = bytes.toString('utf8', at, end)
      return { tag: { type, value, text: `${type}:${value}` }, next: end + 1 }
    }
    case 'B':
      return arrayValue(bytes, at)
    default:
      throw new Error(`unknown BAM tag type '${type}'`)
  }
}

function arrayValue(bytes: Buffer, at: number) {
  const sub = String.fromCharCode(bytes.readUInt8(at))
  const count = bytes.readInt32LE(at + 1)
  const size = sub === 'f' ? 4 : (INTEGER_SIZES[sub] ?? 1)
  const values: number[] = []
  for (let i = 0; i < count; i++) {
    const from = at + 5 + i * size
    values.push(sub === 'f' ? bytes.readFloatLE(from) : integer(bytes, from, sub))
  }
  const shown = values.map((v) => (sub === 'f' ? formatG(v) : String(v)))
  const text = `B:${[sub, ...shown].join(',')}`
  return { tag: { type: 'B', value: values, text }, next: at + 5 + count * size }
}

function integer(bytes: Buffer, at: number, type: string): number {
  switch (type) {
    case 'c':
      return bytes.readInt8(at)
    case 'C':
      return bytes.readUInt8(at)
    case 's':
      return bytes.readInt16LE(at)
    case 'S':
      return bytes.readUInt16LE(at)
    case 'i':
      return bytes.readInt32LE(at)
    default:
      return bytes.readUInt32LE(at)
  }
}

/** C's printf("%g"): 6 significant digits, trailing zeros dropped, exponent outside 1e-4..1e6. */
export function formatG(value: number): string {
  if (Number.isNaN(value)) return 'nan'
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf'
  if (value === 0) return Object.is(value, -0) ? '-0' : '0'
  const [mantissa = '0', exponentText = '0'] = value.toExponential(5).split('e')
  const exponent = Number(exponentText)
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? '-' : '+'
    return `${trimZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`
  }
  return trimZeros(value.toFixed(5 - exponent))
}

function trimZeros(text: string): string {
  return text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text
}
