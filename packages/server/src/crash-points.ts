/**
 * Test-only crash points for the crash-point test (test/crash/crash-points.test.ts). main.ts arms
 * one from GRANARY_TEST_CRASH_AT (`<point>:<n>`); the n-th pass through that point SIGKILLs the
 * process, as a power cut would between two steps. Unarmed (always, in production) a call is one
 * comparison and does nothing.
 */
let armed: { point: string; remaining: number } | undefined

/** `spec` is `<point>:<n>`, e.g. `commit.before:3`; undefined or empty leaves everything inert. */
export function armCrashPoint(spec: string | undefined): void {
  const match = spec?.match(/^([a-z.-]+):(\d+)$/)
  armed = match ? { point: match[1] as string, remaining: Number(match[2]) } : undefined
}

export function crashPoint(name: string): void {
  if (armed === undefined || armed.point !== name) return
  armed.remaining--
  if (armed.remaining === 0) process.kill(process.pid, 'SIGKILL')
}
