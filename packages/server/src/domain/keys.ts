/**
 * File keys (paths inside a workspace) are validated here and nowhere else.
 * Rules (DESIGN.md): UTF-8 in NFC, no empty / `.` / `..` segments, no leading `/`, no backslash,
 * no control characters, at most 1024 bytes in all and 255 per segment.
 * A new key (upload, upload-url) must also be portable (issue #11): no invisible format or bidi
 * controls, no name reserved on Windows, no segment ending in '.' or ' '. Lookups (download,
 * delete, confirm) check only the first set, so a file stored before those rules stays reachable.
 */
import { KEY_MAX_BYTES, KEY_SEGMENT_MAX_BYTES } from '@granary/protocol'
import { AppError } from './errors.ts'

// C0, DEL and C1 controls; lone surrogates cannot be encoded as UTF-8.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/
const LONE_SURROGATE = /\p{Surrogate}/u
// Zero-width and bidi controls (Unicode TR9, "Trojan Source"): they hide or reorder what a name shows.
const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]/
const INVISIBLE_ALL = new RegExp(INVISIBLE.source, 'g')
// Windows reserves these device names with any extension ('aux.txt'), in any case.
const RESERVED_NAME = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$/i

function invalid(what: string, value: string, rule: string): AppError {
  return new AppError('invalid_key', `Invalid ${what} '${printable(value)}': ${rule}.`, {
    details: { rule },
  })
}

function printable(value: string): string {
  const shown = value.length > 80 ? `${value.slice(0, 80)}…` : value
  const hex = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
  return shown.replace(/[\u0000-\u001f\u007f-\u009f]/g, hex).replace(INVISIBLE_ALL, hex)
}

function checkCharacters(what: string, value: string): void {
  if (CONTROL.test(value)) throw invalid(what, value, 'control characters are not allowed')
  if (LONE_SURROGATE.test(value)) throw invalid(what, value, 'it is not valid Unicode')
  if (value.includes('\\')) throw invalid(what, value, "use '/' to separate folders, not '\\'")
  if (value.normalize('NFC') !== value) throw invalid(what, value, 'it must be in Unicode NFC form')
}

function checkSegment(what: string, whole: string, segment: string): void {
  if (segment === '') throw invalid(what, whole, "empty segments ('//') are not allowed")
  if (segment === '.' || segment === '..')
    throw invalid(what, whole, "'.' and '..' segments are not allowed")
  if (Buffer.byteLength(segment) > KEY_SEGMENT_MAX_BYTES) {
    throw invalid(what, whole, `each segment must be at most ${KEY_SEGMENT_MAX_BYTES} bytes`)
  }
}

/** Validates a whole key such as `raw/sample.vcf`. */
export function validateKey(key: string): string {
  if (key === '') throw invalid('key', key, 'it must not be empty')
  checkCharacters('key', key)
  if (key.startsWith('/')) throw invalid('key', key, "it must not start with '/'")
  if (Buffer.byteLength(key) > KEY_MAX_BYTES) {
    throw invalid('key', key, `it must be at most ${KEY_MAX_BYTES} bytes`)
  }
  for (const segment of key.split('/')) checkSegment('key', key, segment)
  return key
}

function checkPortableSegment(whole: string, segment: string): void {
  if (segment.endsWith('.') || segment.endsWith(' ')) {
    throw invalid('key', whole, "a name must not end with '.' or ' ' (Windows drops them)")
  }
  const stem = segment.split('.')[0] ?? segment
  if (RESERVED_NAME.test(stem.trimEnd())) {
    throw invalid('key', whole, `'${stem}' is a reserved device name on Windows`)
  }
}

/**
 * Validates a key a new file is about to get: the rules of `validateKey`, and it must be portable
 * (no invisible format or bidi controls, no Windows device name, no trailing '.' or ' ').
 */
export function validateNewKey(key: string): string {
  validateKey(key)
  if (INVISIBLE.test(key)) {
    throw invalid(
      'key',
      key,
      'invisible format and bidi controls (U+200B..U+200F, U+202A..U+202E, U+2066..U+2069, U+2028, U+2029, U+FEFF) are not allowed',
    )
  }
  for (const segment of key.split('/')) checkPortableSegment(key, segment)
  return key
}

/**
 * Builds the key of an upload: the folder `path` (with or without its trailing '/') plus the file
 * name. Unicode input is normalised to NFC first, so the same name typed on macOS and Linux is one key.
 */
export function keyFor(path: string | undefined, filename: string): string {
  const name = filename.normalize('NFC')
  if (name === '' || name.includes('/')) {
    throw invalid('file name', filename, "it must be non-empty and contain no '/'")
  }
  const folder = (path ?? '').normalize('NFC')
  if (folder === '' || folder === '/') return validateNewKey(name)
  return validateNewKey(folder.endsWith('/') ? `${folder}${name}` : `${folder}/${name}`)
}

/** A listing prefix may end anywhere (even mid-segment) but obeys the character rules. */
export function validatePrefix(prefix: string): string {
  if (prefix === '') return prefix
  checkCharacters('prefix', prefix)
  if (prefix.startsWith('/')) throw invalid('prefix', prefix, "it must not start with '/'")
  if (Buffer.byteLength(prefix) > KEY_MAX_BYTES) {
    throw invalid('prefix', prefix, `it must be at most ${KEY_MAX_BYTES} bytes`)
  }
  return prefix
}

/** The last segment of a key: the file's name. */
export function nameOf(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1)
}

/**
 * The smallest string greater than every string starting with `prefix`, by code point (which is
 * UTF-8 byte order): the last code point incremented. Undefined when no such bound exists.
 */
export function prefixUpperBound(prefix: string): string | undefined {
  const points = Array.from(prefix)
  while (points.length > 0) {
    const last = points.pop() as string
    let next = (last.codePointAt(0) as number) + 1
    if (next === 0xd800) next = 0xe000 // skip the surrogate range
    if (next <= 0x10ffff) return points.join('') + String.fromCodePoint(next)
  }
  return undefined
}
