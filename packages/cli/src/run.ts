import type { RunIO } from './context.ts'
import { describeFailure } from './errors.ts'
import { buildProgram, type ProgramOptions, restoreVersionFlag } from './program.ts'

/**
 * Runs `granary` with `argv` (without node and script) and returns the exit status; output and
 * the one-line error go to `io`, so tests drive it in-process.
 *
 * @example
 * const code = await run(['ls', 'raw/'], { stdout: process.stdout, stderr: process.stderr })
 */
export async function run(
  argv: readonly string[],
  io: RunIO,
  options: ProgramOptions = {},
): Promise<number> {
  try {
    await buildProgram(io, options).parseAsync(restoreVersionFlag(argv), { from: 'user' })
    return 0
  } catch (err) {
    const failure = describeFailure(err)
    if (!failure) return 0
    io.stderr.write(`${failure.line}\n`)
    return failure.exitCode
  }
}
