/**
 * How a stored file may be served from a URL Granary hands out (issue #11). Downloads come from
 * Granary's origin (local backend) or a bucket that sends no CSP or nosniff (S3), so a file that
 * a browser would run (HTML, SVG, XHTML, XML, JavaScript) is never served inline: it is always an
 * attachment. Text gets `charset=utf-8` unless its type declares a charset, so UTF-8 notes do not
 * turn into mojibake.
 */
export type Disposition = 'attachment' | 'inline'

export interface Serving {
  readonly contentType: string
  readonly disposition: Disposition
}

/** Browsers run scripts in these, and in any `+xml` type (RFC 6839 structured syntax suffix). */
const ACTIVE_TYPES = new Set([
  'text/html',
  'application/xhtml+xml',
  'image/svg+xml',
  'text/xml',
  'application/xml',
  'text/xsl',
  'text/javascript',
  'application/javascript',
  'application/x-javascript',
  'text/ecmascript',
  'application/ecmascript',
  'text/jscript',
  'application/vnd.mozilla.xul+xml',
])

function essence(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase()
}

/** True when a browser would execute or render content of this type as a document of ours. */
export function isActiveContent(contentType: string): boolean {
  const type = essence(contentType)
  return ACTIVE_TYPES.has(type) || type.endsWith('+xml') || type === ''
}

/** The type as served: `text/*` with `charset=utf-8` unless a charset is declared. */
export function servedContentType(contentType: string): string {
  const type = essence(contentType)
  if (!type.startsWith('text/') || /;\s*charset\s*=/i.test(contentType)) return contentType
  return `${contentType.trim()}; charset=utf-8`
}

/** The type and disposition a download is served with, whatever was asked. */
export function servingFor(contentType: string, asked: Disposition): Serving {
  return {
    contentType: servedContentType(contentType),
    disposition: isActiveContent(contentType) ? 'attachment' : asked,
  }
}
