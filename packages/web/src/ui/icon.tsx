/** Folder and file glyphs as inline SVG: no icon font, no emoji font needed. */
const PATHS = {
  folder: 'M2 5a2 2 0 0 1 2-2h4l2 2h6a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2z',
  file: 'M5 2h7l4 4v11a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm7 0v4h4',
} as const

export function Icon({ kind }: { kind: keyof typeof PATHS }) {
  return (
    <svg class={`icon ${kind}`} viewBox="0 0 20 20" width="18" height="18" aria-hidden="true">
      <path d={PATHS[kind]} />
    </svg>
  )
}
