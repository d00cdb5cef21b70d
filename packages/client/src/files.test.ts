import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fakeFetch, fileInfo, json } from '../test/fake-fetch.ts'
import { Granary } from './granary.ts'

const baseUrl = 'http://granary.test'

describe('files.list', () => {
  it('sends the query parameters and the bearer key', async () => {
    const fetch = fakeFetch(() => json({ files: [], folders: ['raw/'], next_cursor: null }))
    const client = new Granary({ baseUrl, apiKey: 'gk_secret', fetch })
    const page = await client.files.list({
      workspaceId: 'ws_a',
      prefix: 'raw/',
      limit: 5,
      delimiter: '/',
    })
    const [request] = fetch.requests
    assert.equal(request?.method, 'GET')
    assert.equal(request?.url.pathname, '/v1/files')
    assert.deepEqual(Object.fromEntries(request?.url.searchParams ?? []), {
      workspace_id: 'ws_a',
      prefix: 'raw/',
      limit: '5',
      delimiter: '/',
    })
    assert.equal(request?.headers.get('authorization'), 'Bearer gk_secret')
    assert.deepEqual(page.folders, ['raw/'])
  })

  it("uses the client's workspace when a call names none, and needs one", async () => {
    const fetch = fakeFetch(() => json({ files: [], next_cursor: null }))
    await new Granary({ baseUrl, fetch, workspaceId: 'ws_default' }).files.list()
    assert.equal(fetch.requests[0]?.url.searchParams.get('workspace_id'), 'ws_default')
    const bare = new Granary({ baseUrl, fetch, workspaceId: '' })
    assert.throws(() => bare.files.list(), /workspaceId is required/)
  })
})

describe('files.listAll', () => {
  it('follows next_cursor lazily, one page per need', async () => {
    const pages: Record<string, unknown> = {
      '': { files: [fileInfo('a'), fileInfo('b')], next_cursor: 'c1' },
      c1: { files: [fileInfo('c')], next_cursor: 'c2' },
      c2: { files: [], next_cursor: null },
    }
    const fetch = fakeFetch((req) => json(pages[req.url.searchParams.get('cursor') ?? '']))
    const client = new Granary({ baseUrl, fetch })
    const keys: string[] = []
    for await (const file of client.files.listAll({ workspaceId: 'ws_a', pageSize: 2 })) {
      keys.push(file.key)
      if (keys.length === 1) assert.equal(fetch.requests.length, 1, 'second page fetched early')
    }
    assert.deepEqual(keys, ['a', 'b', 'c'])
    assert.equal(fetch.requests.length, 3)
    assert.equal(fetch.requests[0]?.url.searchParams.get('limit'), '2')
    assert.equal(fetch.requests[2]?.url.searchParams.get('cursor'), 'c2')
  })
})

describe('files.delete', () => {
  it('sends workspace_id and key as query parameters and accepts 204', async () => {
    const fetch = fakeFetch(() => new Response(null, { status: 204 }))
    const client = new Granary({ baseUrl, fetch })
    assert.equal(await client.files.delete('raw/a b.vcf', { workspaceId: 'ws_a' }), undefined)
    const [request] = fetch.requests
    assert.equal(request?.method, 'DELETE')
    assert.equal(request?.url.search, '?workspace_id=ws_a&key=raw%2Fa+b.vcf')
  })
})

describe('files.downloadUrl', () => {
  it('passes expires_in and disposition and makes a relative URL absolute', async () => {
    const fetch = fakeFetch(() => json({ url: '/v1/blobs/x?signature=s', expires_at: 'T' }))
    const client = new Granary({ baseUrl: `${baseUrl}/`, fetch })
    const answer = await client.files.downloadUrl('a.txt', {
      workspaceId: 'ws_a',
      expiresIn: 60,
      disposition: 'inline',
    })
    assert.deepEqual(answer, { url: `${baseUrl}/v1/blobs/x?signature=s`, expires_at: 'T' })
    const query = fetch.requests[0]?.url.searchParams
    assert.equal(query?.get('expires_in'), '60')
    assert.equal(query?.get('disposition'), 'inline')
  })

  it('asks for a Granary link with its index and makes both URLs absolute', async () => {
    const link = '/v1/links/t/bam/x.bam'
    const fetch = fakeFetch(() =>
      json({ url: link, expires_at: 'T', index_url: `${link}.bai`, index_key: 'bam/x.bam.bai' }),
    )
    const client = new Granary({ baseUrl, fetch })
    const answer = await client.files.downloadUrl('bam/x.bam', {
      workspaceId: 'ws_a',
      link: 'granary',
      withIndex: true,
    })
    assert.equal(answer.url, `${baseUrl}${link}`)
    assert.equal(answer.index_url, `${baseUrl}${link}.bai`)
    assert.equal(answer.index_key, 'bam/x.bam.bai')
    const query = fetch.requests[0]?.url.searchParams
    assert.equal(query?.get('link'), 'granary')
    assert.equal(query?.get('with_index'), 'true')
  })
})

describe('files.downloadStream', () => {
  it('fetches the signed URL without the API key', async () => {
    const fetch = fakeFetch((req) =>
      req.url.pathname === '/v1/files/download'
        ? json({ url: 'http://blobs.test/o?sig=1', expires_at: 'T' })
        : new Response('abc', { headers: { 'content-length': '3', 'content-type': 'text/plain' } }),
    )
    const client = new Granary({ baseUrl, apiKey: 'gk_secret', fetch })
    const download = await client.files.downloadStream('a.txt', { workspaceId: 'ws_a' })
    assert.equal(await new Response(download.body).text(), 'abc')
    assert.equal(download.size, 3)
    assert.equal(download.contentType, 'text/plain')
    assert.equal(fetch.requests[1]?.url.host, 'blobs.test')
    assert.equal(fetch.requests[1]?.headers.get('authorization'), null)
  })
})

describe('files.uploadLarge and uploadConfirm', () => {
  it('send snake_case JSON bodies', async () => {
    const fetch = fakeFetch((req) => json({ path: req.url.pathname }, 201))
    const client = new Granary({ baseUrl, fetch, workspaceId: 'ws_a' })
    await client.files.uploadLarge({
      filename: 'g.bam',
      size: 10,
      contentType: 'application/octet-stream',
      path: 'bam/',
      overwrite: false,
    })
    await client.files.uploadConfirm({
      fileKey: 'bam/g.bam',
      size: 10,
      uploadId: 'up_1',
      sha256: 'ab',
    })
    const bodies = fetch.requests.map((r) => JSON.parse(Buffer.from(r.body).toString()))
    assert.deepEqual(bodies[0], {
      filename: 'g.bam',
      workspace_id: 'ws_a',
      size: 10,
      content_type: 'application/octet-stream',
      path: 'bam/',
      overwrite: false,
    })
    assert.deepEqual(bodies[1], {
      file_key: 'bam/g.bam',
      workspace_id: 'ws_a',
      size: 10,
      upload_id: 'up_1',
      sha256: 'ab',
    })
    assert.deepEqual(
      fetch.requests.map((r) => [r.method, r.url.pathname, r.headers.get('content-type')]),
      [
        ['POST', '/v1/files/upload-url', 'application/json'],
        ['POST', '/v1/files/upload-confirm', 'application/json'],
      ],
    )
  })
})

describe('admin and health', () => {
  it('shape workspace, key and health calls', async () => {
    const fetch = fakeFetch((req) => {
      if (req.method === 'DELETE') return new Response(null, { status: 204 })
      if (req.url.pathname === '/v1/workspaces' && req.method === 'GET')
        return json({ workspaces: [{ id: 'w' }] })
      if (req.url.pathname === '/v1/keys' && req.method === 'GET')
        return json({ keys: [{ id: 'k' }] })
      return json({ status: 'ok' }, 201)
    })
    const client = new Granary({ baseUrl, fetch })
    await client.workspaces.create({ id: 'ws_lab', name: 'Lab' })
    assert.deepEqual(await client.workspaces.list(), [{ id: 'w' }])
    await client.keys.create({
      name: 'ci',
      scopes: ['files:read'],
      workspaceIds: ['ws_lab'],
      expiresAt: new Date('2030-01-01T00:00:00Z'),
    })
    assert.deepEqual(await client.keys.list(), [{ id: 'k' }])
    await client.keys.revoke('key/1')
    assert.deepEqual(await client.health(), { status: 'ok' })
    const seen = fetch.requests.map((r) => `${r.method} ${r.url.pathname}`)
    assert.deepEqual(seen, [
      'POST /v1/workspaces',
      'GET /v1/workspaces',
      'POST /v1/keys',
      'GET /v1/keys',
      'DELETE /v1/keys/key%2F1',
      'GET /healthz',
    ])
    const keyBody = JSON.parse(Buffer.from(fetch.requests[2]?.body ?? []).toString())
    assert.deepEqual(keyBody, {
      name: 'ci',
      scopes: ['files:read'],
      workspace_ids: ['ws_lab'],
      expires_at: '2030-01-01T00:00:00.000Z',
    })
  })
})

describe('defaults', () => {
  it('reads GRANARY_URL, GRANARY_API_KEY and GRANARY_WORKSPACE', async () => {
    const saved = { ...process.env }
    Object.assign(process.env, {
      GRANARY_URL: 'http://env.test:9000',
      GRANARY_API_KEY: 'gk_env',
      GRANARY_WORKSPACE: 'ws_env',
    })
    try {
      const fetch = fakeFetch(() => json({ files: [], next_cursor: null }))
      const client = new Granary({ fetch })
      await client.files.list()
      assert.equal(client.baseUrl, 'http://env.test:9000')
      assert.equal(fetch.requests[0]?.headers.get('authorization'), 'Bearer gk_env')
      assert.equal(fetch.requests[0]?.url.searchParams.get('workspace_id'), 'ws_env')
    } finally {
      process.env = saved
    }
  })
})
