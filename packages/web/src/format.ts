/** How numbers and dates read in the UI. */

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB']

/** 1536 -> '1.5 KB' (powers of 1024, as file managers show). */
export function formatBytes(bytes: number): string {
  let value = bytes
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  return `${unit === 0 ? value : value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return ''
  const date = new Date(iso)
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString()
}

/** Seconds as '1 h 5 min', '42 s'. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return ''
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
}

/** The last segment of a key or folder prefix: 'raw/run1/' -> 'run1'. */
export function baseName(key: string): string {
  const parts = key.replace(/\/$/, '').split('/')
  return parts[parts.length - 1] ?? key
}

/** A message a person can act on, from anything thrown. */
export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}
