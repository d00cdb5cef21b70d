/**
 * Debian's chromium for browser tests, driven by playwright-core (no browser download: the
 * machine's own chromium, found on PATH or at GRANARY_CHROMIUM).
 */
import { execFileSync } from 'node:child_process'
import { type Browser, chromium } from 'playwright-core'

/** The chromium executable, or undefined when none is installed. */
export function findChromium(): string | undefined {
  if (process.env.GRANARY_CHROMIUM) return process.env.GRANARY_CHROMIUM
  for (const name of ['chromium', 'chromium-browser']) {
    try {
      return execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim()
    } catch {}
  }
  return undefined
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = findChromium()
  if (!executablePath) throw new Error('chromium is not installed (apt-get install chromium)')
  // Tests run as root in CI, where chromium's sandbox cannot start.
  return chromium.launch({ executablePath, args: ['--no-sandbox'] })
}
