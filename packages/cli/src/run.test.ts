import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileInfo, json, runCli } from '../test/harness.ts'

let dir = ''
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'granary-cli-'))
})
after(() => rm(dir, { recursive: true, force: true }))

describe('granary ls', () => {
  it('lists one page as a table, with workspace, prefix and limit', async () => {
    const page = { files: [fileInfo('raw/a.vcf'), fileInfo('raw/b.vcf', 10)], next_cursor: null }
    const result = await runCli(['ls', 'raw/', '-w', 'ws_lab', '--limit', '2'], () => json(page))
    assert.equal(result.code, 0)
    assert.equal(
      result.stdout,
      [
        '      SIZE  UPDATED           KEY',
        '   1.5 KiB  2025-03-04 05:06  raw/a.vcf',
        '      10 B  2025-03-04 05:06  raw/b.vcf',
        '',
      ].join('\n'),
    )
    const query = Object.fromEntries(result.requests[0]?.url.searchParams ?? [])
    assert.deepEqual(query, { workspace_id: 'ws_lab', prefix: 'raw/', limit: '2' })
  })

  it('takes the workspace from GRANARY_WORKSPACE, else ws_default', async () => {
    const empty = () => json({ files: [], next_cursor: null })
    const fromEnv = await runCli(['ls'], empty, { env: { GRANARY_WORKSPACE: 'ws_env' } })
    assert.equal(fromEnv.requests[0]?.url.searchParams.get('workspace_id'), 'ws_env')
    const byDefault = await runCli(['ls'], empty)
    assert.equal(byDefault.requests[0]?.url.searchParams.get('workspace_id'), 'ws_default')
  })

  it('shows folders with --folders and hints at more pages', async () => {
    const page = { files: [fileInfo('top.txt', 5)], folders: ['raw/'], next_cursor: 'c1' }
    const result = await runCli(['ls', '--folders'], () => json(page))
    assert.equal(result.requests[0]?.url.searchParams.get('delimiter'), '/')
    assert.match(result.stdout, /^ {9}- {2}- {17}raw\/$/m)
    assert.equal(result.stderr, 'granary: more files: use --all, or --cursor c1\n')
  })

  it('pages through everything with --all and prints JSON with --json', async () => {
    const pages: Record<string, unknown> = {
      '': { files: [fileInfo('a')], next_cursor: 'c1' },
      c1: { files: [fileInfo('b')], next_cursor: null },
    }
    const result = await runCli(['--json', 'ls', '--all'], (req) =>
      json(pages[req.url.searchParams.get('cursor') ?? '']),
    )
    const output = JSON.parse(result.stdout)
    assert.deepEqual(
      output.files.map((f: { key: string }) => f.key),
      ['a', 'b'],
    )
    assert.equal(output.next_cursor, null)
    assert.equal(result.requests.length, 2)
  })
})

describe('granary upload', () => {
  it('uploads each file with the options and prints one line per file', async () => {
    await writeFile(join(dir, 'one.vcf'), 'one')
    await writeFile(join(dir, 'two.vcf'), 'two!')
    const handler = (req: { body: Buffer }) => {
      const name = /filename="([^"]+)"/.exec(req.body.toString())?.[1] ?? ''
      return json(fileInfo(`raw/${name}`, name === 'one.vcf' ? 3 : 4), 201)
    }
    const argv = ['upload', join(dir, 'one.vcf'), join(dir, 'two.vcf'), '--path', 'raw/']
    const result = await runCli([...argv, '--no-overwrite', '--description', 'batch 7'], handler)
    assert.equal(result.code, 0, result.stderr)
    assert.equal(result.stdout, 'uploaded raw/one.vcf (3 B)\nuploaded raw/two.vcf (4 B)\n')
    assert.equal(result.stderr, '', 'no progress output when stderr is not a terminal')
    const body = result.requests[0]?.body.toString() ?? ''
    for (const [field, value] of [
      ['path', 'raw/'],
      ['description', 'batch 7'],
      ['overwrite', 'false'],
    ]) {
      assert.match(body, new RegExp(`name="${field}"\\r\\n\\r\\n${value}\\r\\n`))
    }
  })

  it('switches to the upload-url flow from --large-threshold', async () => {
    await writeFile(join(dir, 'big.bam'), 'x'.repeat(2048))
    const upload = {
      uploadUrl: 'http://blobs.test/put',
      fileKey: 'big.bam',
      uploadId: 'up_1',
      headers: {},
    }
    const result = await runCli(
      ['--json', 'upload', join(dir, 'big.bam'), '--large-threshold', '1KiB'],
      (req) => {
        if (req.url.pathname === '/v1/files/upload-url') return json(upload, 201)
        if (req.method === 'PUT') return new Response(null, { status: 204 })
        return json(fileInfo('big.bam', 2048))
      },
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(
      result.requests.map((r) => `${r.method} ${r.url.pathname}`),
      ['POST /v1/files/upload-url', 'PUT /put', 'POST /v1/files/upload-confirm'],
    )
    assert.equal(JSON.parse(result.stdout)[0].key, 'big.bam')
  })

  it('fails with one line for a missing local file', async () => {
    const result = await runCli(['upload', join(dir, 'missing.vcf')])
    assert.equal(result.code, 1)
    assert.equal(
      result.stderr,
      `granary: error: ${join(dir, 'missing.vcf')}: no such file or folder (ENOENT)\n`,
    )
    assert.equal(result.requests.length, 0)
  })
})

describe('granary download, url, rm', () => {
  const server = (req: { url: URL }) =>
    req.url.pathname === '/v1/files/download'
      ? json({ url: 'http://blobs.test/o?sig=1', expires_at: '2025-01-01T01:00:00Z' })
      : new Response('bytes')

  it('downloads into a folder and prints the local path', async () => {
    const result = await runCli(['download', 'raw/d.txt', `${dir}/`], server)
    assert.equal(result.stdout, `${join(dir, 'd.txt')}\n`)
    assert.equal(await readFile(join(dir, 'd.txt'), 'utf8'), 'bytes')
  })

  it('prints a signed URL, inline and with an expiry', async () => {
    const result = await runCli(['url', 'raw/d.txt', '--inline', '--expires-in', '600'], server)
    assert.equal(result.stdout, 'http://blobs.test/o?sig=1\n')
    const query = result.requests[0]?.url.searchParams
    assert.equal(query?.get('disposition'), 'inline')
    assert.equal(query?.get('expires_in'), '600')
  })

  it('asks for a Granary link with its index, and prints the index link on a second line', async () => {
    const link = 'http://g.test/v1/links/t/bam/x.bam'
    const answer = {
      url: link,
      expires_at: 'T',
      index_url: `${link}.bai`,
      index_key: 'bam/x.bam.bai',
    }
    const result = await runCli(['url', 'bam/x.bam', '--link', 'granary', '--with-index'], () =>
      json(answer),
    )
    assert.equal(result.stdout, `${link}\n${link}.bai\n`)
    const query = result.requests[0]?.url.searchParams
    assert.equal(query?.get('link'), 'granary')
    assert.equal(query?.get('with_index'), 'true')
    const bad = await runCli(['url', 'bam/x.bam', '--link', 'signed'], () => json(answer))
    assert.notEqual(bad.code, 0)
  })

  it('deletes, and reports an API error on one line with exit 1', async () => {
    const ok = await runCli(['rm', 'raw/d.txt'], () => new Response(null, { status: 204 }))
    assert.equal(ok.stdout, 'deleted raw/d.txt\n')
    assert.equal(ok.requests[0]?.method, 'DELETE')
    const missing = await runCli(['rm', 'raw/none'], () =>
      json({ error: { code: 'file_not_found', message: "No file 'raw/none'." } }, 404),
    )
    assert.equal(missing.code, 1)
    assert.equal(missing.stderr, "granary: error: No file 'raw/none'. (file_not_found)\n")
  })
})

describe('granary admin', () => {
  it('creates a key with repeated scopes and workspaces and prints the secret', async () => {
    const created = {
      id: 'key_1',
      name: 'ci',
      secret: 'gr_secret',
      scopes: ['files'],
      workspace_ids: ['ws_a'],
    }
    const argv = [
      'admin',
      'key',
      'create',
      '--name',
      'ci',
      '--scope',
      'files:read',
      '--scope',
      'files:write',
    ]
    const result = await runCli([...argv, '--workspace-id', 'ws_a', '--workspace-id', 'ws_b'], () =>
      json(created, 201),
    )
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(JSON.parse(result.requests[0]?.body.toString() ?? ''), {
      name: 'ci',
      scopes: ['files:read', 'files:write'],
      workspace_ids: ['ws_a', 'ws_b'],
    })
    assert.equal(result.stdout, 'created key key_1 (ci)\nsecret: gr_secret\n')
  })

  it('rejects an unknown scope as a usage error before any request', async () => {
    const result = await runCli(['admin', 'key', 'create', '--name', 'x', '--scope', 'root'])
    assert.equal(result.code, 2)
    assert.match(result.stderr, /^granary: error: .*'root'.*\(usage\)\n$/)
    assert.equal(result.requests.length, 0)
  })

  it('creates and lists workspaces, revokes keys', async () => {
    const ws = { id: 'ws_lab', name: 'Lab', created_at: '2025-03-04T05:06:07Z' }
    const handler = (req: { method: string }) =>
      req.method === 'POST'
        ? json(ws, 201)
        : req.method === 'GET'
          ? json({ workspaces: [ws] })
          : new Response(null, { status: 204 })
    const created = await runCli(['admin', 'workspace', 'create', 'Lab', '--id', 'ws_lab'], handler)
    assert.equal(created.stdout, 'created workspace ws_lab (Lab)\n')
    assert.deepEqual(JSON.parse(created.requests[0]?.body.toString() ?? ''), {
      id: 'ws_lab',
      name: 'Lab',
    })
    const listed = await runCli(['admin', 'workspace', 'list'], handler)
    assert.equal(listed.stdout, 'ID      CREATED           NAME\nws_lab  2025-03-04 05:06  Lab\n')
    const revoked = await runCli(['admin', 'key', 'revoke', 'key_1'], handler)
    assert.equal(revoked.requests[0]?.url.pathname, '/v1/keys/key_1')
    assert.equal(revoked.stdout, 'revoked key key_1\n')
  })
})

describe('usage, help and serve', () => {
  it('prints help on stdout with exit 0', async () => {
    const result = await runCli(['upload', '--help'])
    assert.equal(result.code, 0)
    assert.match(result.stdout, /Usage: granary upload/)
    assert.match(result.stdout, /Examples:/)
  })

  it('makes a missing argument or unknown option exit 2 with one line', async () => {
    for (const argv of [['rm'], ['ls', '--bogus'], ['url', 'k', '--expires-in', 'soon']]) {
      const result = await runCli(argv)
      assert.equal(result.code, 2, argv.join(' '))
      assert.equal(result.stderr.split('\n').length, 2, result.stderr)
      assert.match(result.stderr, /^granary: error: .* \(usage\)\n$/)
    }
  })

  it('starts the server with runServer(env), applying --port and --data-dir', async () => {
    let seen: Record<string, string | undefined> | undefined
    const runServer = async (env: typeof seen) => {
      seen = env
    }
    const loadServer = async () => ({ runServer })
    const result = await runCli(['serve', '--port', '9001', '--data-dir', '/srv/g'], undefined, {
      env: { GRANARY_ADMIN_KEY: 'k' },
      loadServer,
    })
    assert.equal(result.code, 0, result.stderr)
    assert.deepEqual(seen, { GRANARY_ADMIN_KEY: 'k', PORT: '9001', GRANARY_DATA_DIR: '/srv/g' })
  })

  it('keeps its data under $XDG_DATA_HOME/granary, else ~/.local/share/granary', async () => {
    const seen: Array<string | undefined> = []
    const loadServer = async () => ({
      runServer: async (env: Record<string, string | undefined>) => {
        seen.push(env.GRANARY_DATA_DIR)
      },
    })
    const cases = [
      { XDG_DATA_HOME: '/xdg/data', HOME: '/home/ana' },
      { HOME: '/home/ana' },
      { XDG_DATA_HOME: 'relative/ignored', HOME: '/home/ana' },
      { GRANARY_DATA_DIR: '/srv/granary', XDG_DATA_HOME: '/xdg/data' },
    ]
    for (const env of cases) {
      const result = await runCli(['serve'], undefined, { env, loadServer })
      assert.equal(result.code, 0, result.stderr)
    }
    assert.deepEqual(seen, [
      '/xdg/data/granary',
      '/home/ana/.local/share/granary',
      '/home/ana/.local/share/granary',
      '/srv/granary',
    ])
  })

  it('says when the server package is missing', async () => {
    const loadServer = () =>
      Promise.reject(
        Object.assign(new Error("Cannot find package '@granary/server'"), {
          code: 'ERR_MODULE_NOT_FOUND',
        }),
      )
    const result = await runCli(['serve'], undefined, { loadServer })
    assert.equal(result.code, 1)
    assert.match(
      result.stderr,
      /^granary: error: the server package @granary\/server is not installed.*\(server_not_installed\)\n$/,
    )
  })
})

describe('429 and 503 answers', () => {
  const busy = (status: number, retryAfter: string) => {
    const code = status === 429 ? 'rate_limited' : 'storage_unavailable'
    return new Response(JSON.stringify({ error: { code, message: 'wait' } }), {
      status,
      headers: { 'content-type': 'application/json', 'retry-after': retryAfter },
    })
  }

  it('waits Retry-After and retries, for listings and for uploads from a file', async () => {
    await writeFile(join(dir, 'busy.vcf'), 'busy')
    const listing = [busy(429, '0'), busy(503, '0')]
    const ls = await runCli(['ls'], () => listing.shift() ?? json({ files: [], next_cursor: null }))
    assert.equal(ls.code, 0, ls.stderr)
    assert.equal(ls.requests.length, 3)
    const uploads = [busy(429, '0')]
    const up = await runCli(
      ['upload', join(dir, 'busy.vcf')],
      () => uploads.shift() ?? json(fileInfo('busy.vcf', 4), 201),
    )
    assert.equal(up.code, 0, up.stderr)
    assert.equal(up.requests.length, 2)
  })

  it('gives up after a bounded number of retries with the rate_limited error', async () => {
    const result = await runCli(['ls'], () => busy(429, '0'))
    assert.notEqual(result.code, 0)
    assert.match(result.stderr, /\(rate_limited\)/)
    assert.equal(result.requests.length, 4)
  })
})
