export interface MeasuredFile {
  file: string
  bytes: number
  gzipped: number
}

/** Builds the UI into `outdir` (default packages/web/dist); the initial page load's files. */
export function buildWeb(outdir?: string): Promise<{ outdir: string; initial: MeasuredFile[] }>
