import type { ProgramOptions } from './program.ts'
import { run } from './run.ts'

/** The `granary` executable: process in, exit status out. */
export async function main(options: ProgramOptions = {}): Promise<void> {
  // `granary ls | head` closes the pipe early: stop quietly, as other Unix tools do.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
    throw err
  })
  process.exitCode = await run(
    process.argv.slice(2),
    {
      stdout: process.stdout,
      stderr: process.stderr,
      env: process.env,
      stdin: process.stdin,
    },
    options,
  )
}
