/** What the numbers were measured on: enough to tell two runs' machines apart. */
import { execFileSync } from 'node:child_process'
import { cpus, totalmem } from 'node:os'
import { ROOT } from './child-server.ts'

export interface Machine {
  readonly nproc: number
  readonly cpuModel: string
  readonly memoryBytes: number
  readonly node: string
  readonly platform: string
  readonly commit: string
  /** True when the working tree had uncommitted changes. */
  readonly dirty: boolean
}

export function describeMachine(): Machine {
  return {
    nproc: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain']) !== '',
  }
}

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim()
  } catch {
    return ''
  }
}
