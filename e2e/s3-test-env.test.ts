/**
 * `scripts/s3-test-server.sh` also writes the server's GRANARY_* settings for its S3 server
 * (granary.env), so `source <dir>/granary.env && npm start` tries the S3 backend locally.
 */
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { promisify } from 'node:util'
import { Granary } from '@granary/client'
import {
  ADMIN_KEY,
  ROOT,
  type ServerProcess,
  startServerProcess,
} from './support/server-process.ts'

const s3 = process.env.GRANARY_TEST_S3_ENDPOINT
if (!s3 && process.env.CI)
  throw new Error('CI must run the S3 tests: GRANARY_TEST_S3_ENDPOINT is unset')

describe('s3-test-server.sh granary-env', { skip: !s3 && 'no test S3 server' }, () => {
  let dir = ''
  let server: ServerProcess | undefined
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'granary-s3-env-'))
    // The env file `start` writes for tests, from the running test server's settings.
    const names = ['ENDPOINT', 'BUCKET', 'ACCESS_KEY_ID', 'SECRET_ACCESS_KEY', 'REGION']
    await writeFile(
      join(dir, 'env'),
      names
        .map((n) => `export GRANARY_TEST_S3_${n}=${process.env[`GRANARY_TEST_S3_${n}`] ?? ''}\n`)
        .join(''),
    )
  })
  after(async () => {
    await server?.stop()
    await rm(dir, { recursive: true, force: true })
  })

  test('prints the variables npm start needs, and a server started with them uses S3', async () => {
    const { stdout } = await promisify(execFile)(
      'bash',
      [join(ROOT, 'scripts/s3-test-server.sh'), 'granary-env', dir],
      { cwd: ROOT },
    )
    const env = Object.fromEntries(
      [...stdout.matchAll(/^export (GRANARY_\w+)=(.*)$/gm)].map((m) => [m[1] ?? '', m[2] ?? '']),
    )
    assert.equal(env.GRANARY_STORAGE, 's3')
    assert.equal(env.GRANARY_S3_ENDPOINT, s3)
    server = await startServerProcess({
      ...env,
      GRANARY_S3_PREFIX: `s3-env-${process.pid}-${Date.now()}/`,
    })
    const admin = new Granary({ baseUrl: server.url, apiKey: ADMIN_KEY })
    const status = await admin.storage.check()
    assert.equal(status.backend, 's3')
    assert.equal(status.reachable, true)
    const file = await admin.files.upload(new Blob(['on s3']), {
      workspaceId: 'ws_default',
      filename: 'hello.txt',
    })
    const { body } = await admin.files.downloadStream(file.key, { workspaceId: 'ws_default' })
    assert.equal(await new Response(body).text(), 'on s3')
  })
})
