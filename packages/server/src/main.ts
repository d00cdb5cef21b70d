/** The only place that reads process.env and listens: `npm start`. */

import { armCrashPoint } from './crash-points.ts'
import { runServer } from './server.ts'

// Test-only: the crash-point test sets it; unset (always in production) nothing is armed.
armCrashPoint(process.env.GRANARY_TEST_CRASH_AT)
runServer(process.env).catch((error: unknown) => {
  process.stderr.write(
    `granary: could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
})
