/** Bundles `entry` into `outdir/<name>.js` (see bundle.mjs). */
export function bundle(entry: string, outdir: string): Promise<void>
