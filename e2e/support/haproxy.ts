/** HAProxy from Debian in front of Granary processes, with the configuration the docs show. */
import { type ChildProcess, spawn } from 'node:child_process'
import { join } from 'node:path'
import { freePort, ROOT } from './server-process.ts'

export interface LoadBalancer {
  readonly url: string
  stop(): Promise<void>
  output(): string
}

/** Runs deploy/haproxy.cfg with the two processes' addresses; resolves once it answers. */
export async function startHaproxy(backends: [string, string]): Promise<LoadBalancer> {
  const port = await freePort()
  const hostOf = (url: string) => new URL(url).host
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', join(ROOT, 'deploy', 'haproxy.cfg')], {
    env: {
      PATH: process.env.PATH ?? '',
      GRANARY_LB_BIND: `127.0.0.1:${port}`,
      GRANARY_A: hostOf(backends[0]),
      GRANARY_B: hostOf(backends[1]),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout?.on('data', (chunk: Buffer) => {
    log += chunk.toString()
  })
  child.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString()
  })
  const url = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 20_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`haproxy exited (${child.exitCode}):\n${log}`)
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    )
    if (ok) break
    if (Date.now() > deadline) throw new Error(`haproxy did not answer within 20 s:\n${log}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  return {
    url,
    output: () => log,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
