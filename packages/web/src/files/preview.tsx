/**
 * A look inside a file without leaving the page: the first 64 KB of text-like files (as text, or
 * as a table for csv/tsv/vcf/bed), or an image. Bytes are fetched with Range through a signed
 * URL and shown as data: a served file never renders as a page on this origin.
 */
import type { FileInfo } from '@granary/client'
import { useSignal } from '@preact/signals'
import { useEffect } from 'preact/hooks'
import { errorText, formatBytes } from '../format.ts'
import { client } from '../session.ts'

const PREVIEW_BYTES = 64 * 1024
const IMAGE_MAX_BYTES = 20 * 1024 * 1024
const MAX_ROWS = 200
const TEXT = new Set([
  'txt',
  'csv',
  'tsv',
  'vcf',
  'bed',
  'fasta',
  'fa',
  'fastq',
  'fq',
  'json',
  'md',
  'log',
  'sam',
  'gff',
  'gtf',
])
const TABLES: Record<string, string> = { csv: ',', tsv: '\t', vcf: '\t', bed: '\t' }
const IMAGES = new Set(['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg'])

type Shown =
  | { kind: 'text'; text: string; partial: boolean }
  | { kind: 'table'; rows: string[][]; notes: string[]; partial: boolean }
  | { kind: 'image'; url: string }
  | { kind: 'none'; why: string }

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.')
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase()
}

export function Preview({ workspaceId, file }: { workspaceId: string; file: FileInfo }) {
  const shown = useSignal<Shown | undefined>(undefined)
  useEffect(() => {
    const controller = new AbortController()
    load(workspaceId, file, controller.signal).then(
      (result) => {
        shown.value = result
      },
      (err: unknown) => {
        if (!controller.signal.aborted) shown.value = { kind: 'none', why: errorText(err) }
      },
    )
    return () => controller.abort()
  }, [workspaceId, file.key, file.sha256])
  useEffect(() => {
    const current = shown.value
    return () => {
      if (current?.kind === 'image') URL.revokeObjectURL(current.url)
    }
  }, [shown.value])
  return (
    <section class="preview" aria-label={`Preview of ${file.name}`}>
      <PreviewBody shown={shown.value} file={file} />
    </section>
  )
}

function PreviewBody({ shown, file }: { shown: Shown | undefined; file: FileInfo }) {
  if (!shown) return <p class="loading">Loading preview…</p>
  if (shown.kind === 'none') return <p class="muted">{shown.why}</p>
  if (shown.kind === 'image') return <img src={shown.url} alt={file.name} />
  const note = shown.partial ? (
    <p class="muted">
      First {formatBytes(PREVIEW_BYTES)} of {formatBytes(file.size)}.
    </p>
  ) : null
  if (shown.kind === 'text') {
    return (
      <>
        {note}
        <pre>{shown.text}</pre>
      </>
    )
  }
  const [head, ...body] = shown.rows
  return (
    <>
      {note}
      {shown.notes.length > 0 && (
        <details>
          <summary>{shown.notes.length} header lines</summary>
          <pre>{shown.notes.join('\n')}</pre>
        </details>
      )}
      <div class="table-scroll">
        <table>
          <thead>
            <tr>
              {head?.map((cell, i) => (
                <th key={i}>{cell}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {body.map((row, r) => (
              <tr key={r}>
                {row.map((cell, i) => (
                  <td key={i}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  )
}

async function load(workspaceId: string, file: FileInfo, signal: AbortSignal): Promise<Shown> {
  const ext = extensionOf(file.name)
  const isImage = IMAGES.has(ext) || file.content_type.startsWith('image/')
  const isText = TEXT.has(ext) || file.content_type.startsWith('text/')
  if (!isImage && !isText) return { kind: 'none', why: 'No preview for this kind of file.' }
  if (isImage && file.size > IMAGE_MAX_BYTES) {
    return { kind: 'none', why: 'This image is too large to preview; download it instead.' }
  }
  const { url } = await client.value.files.downloadUrl(file.key, { workspaceId, signal })
  if (file.size === 0) return { kind: 'text', text: '', partial: false }
  const headers = isImage ? undefined : { range: `bytes=0-${PREVIEW_BYTES - 1}` }
  const response = await fetch(url, { headers, signal })
  if (!response.ok) throw new Error(`The preview could not be fetched (HTTP ${response.status}).`)
  const bytes = await response.arrayBuffer()
  if (isImage) {
    const type = file.content_type.startsWith('image/') ? file.content_type : `image/${ext}`
    return { kind: 'image', url: URL.createObjectURL(new Blob([bytes], { type })) }
  }
  const partial = file.size > bytes.byteLength
  const text = new TextDecoder().decode(bytes)
  // A cut at 64 KB leaves a partial last line: drop it.
  const whole = partial ? text.slice(0, Math.max(0, text.lastIndexOf('\n'))) : text
  const separator = TABLES[ext]
  return separator ? table(whole, separator, ext, partial) : { kind: 'text', text: whole, partial }
}

/** Rows of a delimited file; VCF's `##` meta lines are set aside and `#CHROM` is the header. */
function table(text: string, separator: string, ext: string, partial: boolean): Shown {
  const lines = text.split(/\r?\n/).filter((line) => line.length > 0)
  const notes = ext === 'vcf' ? lines.filter((line) => line.startsWith('##')) : []
  const data = ext === 'vcf' ? lines.filter((line) => !line.startsWith('##')) : lines
  const rows = data.slice(0, MAX_ROWS + 1).map((line) => line.replace(/^#/, '').split(separator))
  return { kind: 'table', rows, notes, partial }
}
