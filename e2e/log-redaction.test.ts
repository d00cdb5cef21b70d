/**
 * No secret in the log (issue #11): a real server at log level info serves requests that carry
 * every kind of secret (Authorization headers, API keys in the query, signed download and upload
 * URLs, a key just created), then the test greps its whole log for each one.
 */
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { ADMIN_KEY, type ServerProcess, startServerProcess } from './support/server-process.ts'

describe('The server log holds no secret', () => {
  let server: ServerProcess
  const secrets: string[] = [ADMIN_KEY]
  const call = (path: string, init: RequestInit = {}, key: string | null = ADMIN_KEY) =>
    fetch(`${server.url}${path}`, {
      ...init,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...init.headers },
    })

  before(async () => {
    server = await startServerProcess({ GRANARY_LOG_LEVEL: 'info' })
  })
  after(() => server.stop())

  test('requests carrying secrets on every kind of route', async () => {
    const created = await call('/v1/keys', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'k', scopes: ['files'], workspace_ids: ['ws_default'] }),
    })
    const { secret } = (await created.json()) as { secret: string }
    secrets.push(secret)
    // An API key in the query string, and a wrong key in the header (401).
    await call(`/v1/files?workspace_id=ws_default&api_key=${secret}`, {}, null)
    const wrong = `gr_${'w'.repeat(40)}`
    secrets.push(wrong)
    assert.equal((await call('/v1/files?workspace_id=ws_default', {}, wrong)).status, 401)
    // A form upload, then its signed download URL, fetched, tampered and on an unknown route.
    const form = new FormData()
    form.set('workspace_id', 'ws_default')
    form.set('file', new Blob(['hello']), 'a.txt')
    assert.equal(
      (await call('/v1/files/upload', { method: 'POST', body: form }, secret)).status,
      201,
    )
    const download = '/v1/files/download?workspace_id=ws_default&key=a.txt'
    // A Granary link (the local default) carries its signature in the path.
    const granary = await call(download, {}, secret)
    const { url: linkUrl } = (await granary.json()) as { url: string }
    const linkSignature = new URL(linkUrl).pathname.split('/')[3]?.split('.').at(-1) ?? ''
    assert.ok(linkSignature.length > 10, linkUrl)
    secrets.push(linkSignature)
    assert.equal((await fetch(linkUrl)).status, 200)
    assert.equal((await fetch(`${linkUrl}.bai`)).status, 403)
    const link = await call(`${download}&link=direct`, {}, secret)
    const { url } = (await link.json()) as { url: string }
    const signature = new URL(url).searchParams.get('signature') ?? ''
    assert.ok(signature.length > 10)
    secrets.push(signature)
    assert.equal((await fetch(url)).status, 200)
    assert.equal((await fetch(url.replace('expires=', 'expires=1'))).status, 403)
    await fetch(`${server.url}/v1/nowhere?signature=${signature}&X-Amz-Signature=${signature}`)
    // A large-file upload URL, used.
    const started = await call('/v1/files/upload-url', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workspace_id: 'ws_default', filename: 'b.bin', size: 3 }),
    })
    const { uploadUrl, headers } = (await started.json()) as {
      uploadUrl: string
      headers: Record<string, string>
    }
    secrets.push(new URL(uploadUrl).searchParams.get('signature') ?? 'missing')
    assert.equal(
      (await fetch(uploadUrl, { method: 'PUT', headers, body: 'abc' })).status < 300,
      true,
    )
  })

  test('the log shows the requests, with every secret redacted', () => {
    const log = server.output()
    assert.match(log, /\/v1\/blobs\//, 'the signed download was logged')
    assert.match(log, /signature=\[redacted\]/)
    assert.match(
      log,
      /\/v1\/links\/ws_default\.[^/"]+\.\[redacted\]\/a\.txt/,
      'the link was logged',
    )
    assert.match(log, /api_key=\[redacted\]/)
    for (const secret of secrets) assert.ok(!log.includes(secret), `a secret in the log: ${secret}`)
  })
})
