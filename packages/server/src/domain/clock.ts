/**
 * Time as the domain sees it. compose.ts injects one (real time in production, see clocks.ts);
 * tests move it instead of sleeping. Nothing in domain/ reads the system time itself.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

/** The clock's time as an ISO 8601 string, for timestamps the metadata store keeps. */
export function isoNow(clock: Clock): string {
  return new Date(clock.now()).toISOString()
}
