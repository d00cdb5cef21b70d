/** granary login / whoami and where the URL and key come from, against a local HTTP server. */
import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { collector } from '../test/harness.ts'
import { run } from './run.ts'

const ME = {
  key: {
    id: 'key_1',
    name: 'pipeline',
    scopes: ['files'],
    expires_at: null,
    created_at: '2026-01-01T00:00:00.000Z',
  },
  workspaces: [{ id: 'ws_lab', name: 'Lab' }],
}

describe('granary login, whoami and the saved login', () => {
  let server: Server
  let url = ''
  let home = ''
  const seen: IncomingMessage[] = []
  before(async () => {
    server = createServer((request, response) => {
      seen.push(request)
      const json = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body))
      if (request.headers.authorization === 'Bearer gr_bad') {
        return json(401, { error: { code: 'unauthenticated', message: 'unknown key' } })
      }
      if (request.url?.startsWith('/v1/me')) return json(200, ME)
      json(200, { files: [], next_cursor: null })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    home = await mkdtemp(join(tmpdir(), 'granary-login-'))
  })
  after(async () => {
    await new Promise((resolve) => server.close(resolve))
    await rm(home, { recursive: true, force: true })
  })

  const granary = async (argv: string[], env: Record<string, string>, input?: string) => {
    const stdout = collector()
    const stderr = collector()
    const code = await run(argv, {
      stdout,
      stderr,
      env,
      ...(input !== undefined ? { stdin: Readable.from([input]) } : {}),
    })
    return { code, stdout: stdout.text(), stderr: stderr.text() }
  }
  const config = () => join(home, '.config', 'granary', 'config.json')

  it('asks for the URL and key, checks them, saves them mode 0600', async () => {
    const result = await granary(['login'], { HOME: home }, `${url}\ngr_good\n`)
    assert.equal(result.code, 0, result.stderr)
    assert.match(result.stderr, /Granary URL \[http:\/\/127\.0\.0\.1:8080\]: API key: /)
    assert.match(result.stdout, /Logged in to .* as 'pipeline'/)
    assert.equal((await stat(config())).mode & 0o777, 0o600)
    assert.deepEqual(JSON.parse(await readFile(config(), 'utf8')), {
      url,
      api_key: 'gr_good',
      workspace: 'ws_lab',
    })
  })

  it('a key the server refuses is not saved', async () => {
    const result = await granary(['login', '--url', url, '--api-key', 'gr_bad'], {
      XDG_CONFIG_HOME: join(home, 'other'),
    })
    assert.equal(result.code, 1)
    assert.match(result.stderr, /does not accept this API key.*\(unauthenticated\)/)
    await assert.rejects(stat(join(home, 'other', 'granary', 'config.json')))
  })

  it('whoami and every command use the saved login; GRANARY_* variables win', async () => {
    const whoami = await granary(['whoami'], { HOME: home })
    assert.equal(whoami.code, 0, whoami.stderr)
    assert.match(whoami.stdout, /key: {8}pipeline \(key_1\)\nscopes: {5}files\n/)
    assert.match(whoami.stdout, /workspaces: ws_lab \(Lab\)/)
    assert.match(whoami.stdout, /key from: {3}granary login/)
    seen.length = 0
    await granary(['ls'], { HOME: home })
    assert.equal(seen[0]?.headers.authorization, 'Bearer gr_good')
    assert.match(seen[0]?.url ?? '', /workspace_id=ws_lab/)
    await granary(['ls'], { HOME: home, GRANARY_API_KEY: 'gr_env', GRANARY_WORKSPACE: 'ws_env' })
    assert.equal(seen[1]?.headers.authorization, 'Bearer gr_env')
    assert.match(seen[1]?.url ?? '', /workspace_id=ws_env/)
  })

  it('no key anywhere: set GRANARY_API_KEY or run granary login', async () => {
    const result = await granary(['ls'], { HOME: join(home, 'nobody') })
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr,
      'granary: error: no API key: set GRANARY_API_KEY or run `granary login` (no_api_key)\n',
    )
  })

  it('a URL without a scheme names the variable and suggests http://', async () => {
    const result = await granary(['ls'], { GRANARY_URL: 'localhost:8080', GRANARY_API_KEY: 'gr_x' })
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /GRANARY_URL is 'localhost:8080', which is not an http\(s\) URL: add the scheme, e\.g\. http:\/\/localhost:8080 \(bad_url\)/,
    )
  })

  it('a broken config file is named', async () => {
    const broken = join(home, 'broken')
    await rm(broken, { recursive: true, force: true })
    await granary(['login', '--url', url, '--api-key', 'gr_good'], { XDG_CONFIG_HOME: broken })
    await writeFile(join(broken, 'granary', 'config.json'), 'not json')
    const result = await granary(['ls'], { XDG_CONFIG_HOME: broken })
    assert.match(result.stderr, /config\.json is not a granary login; run `granary login` again/)
  })
})
