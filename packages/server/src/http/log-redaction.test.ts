import assert from 'node:assert/strict'
import { test } from 'node:test'
import { redactSecrets } from './log-redaction.ts'

const KEY = `gr_${'a1'.repeat(20)}`

test('signatures, credentials and keys in URLs are redacted; other parameters stay', () => {
  const line = JSON.stringify({
    req: {
      url: `/v1/blobs/ws/v/raw/x.vcf?expires=99&signature=SIG1&disposition=inline`,
      s3: `https://s3/b/k?X-Amz-Credential=AKIA%2F1&X-Amz-Signature=SIG2&X-Amz-Security-Token=TOK`,
      other: `/v1/files?workspace_id=ws_a&api_key=${KEY}&key=raw/x.vcf&token=T3`,
    },
  })
  const out = redactSecrets(line)
  for (const secret of ['SIG1', 'SIG2', 'TOK', 'AKIA', KEY, 'T3']) {
    assert.ok(!out.includes(secret), `${secret} in ${out}`)
  }
  assert.match(out, /expires=99&signature=\[redacted\]&disposition=inline/)
  assert.match(out, /workspace_id=ws_a&api_key=\[redacted\]&key=raw\/x\.vcf/)
})

test("a Granary link's signature (in its path) is redacted; the rest of the path stays", () => {
  const line = JSON.stringify({
    req: { url: '/v1/links/ws_a.v1.99.a.key_1.SIG-4_x/raw/x.bam.bai' },
    msg: 'GET http://h/v1/links/ws_a.v1.99.i.key_1.SIG5/x.vcf.gz',
  })
  const out = redactSecrets(line)
  assert.ok(!out.includes('SIG'), out)
  assert.match(out, /\/v1\/links\/ws_a\.v1\.99\.a\.key_1\.\[redacted\]\/raw\/x\.bam\.bai/)
})

test('Authorization values and secret fields are redacted wherever they appear', () => {
  const line = JSON.stringify({
    headers: { authorization: 'Bearer abc.def', 'x-api-key': 'K1', Cookie: 's=1' },
    secret: KEY,
    msg: `refused Basic dXNlcjpwYXNz for key ${KEY}`,
  })
  const out = redactSecrets(line)
  for (const secret of ['abc.def', 'K1', 's=1', 'dXNlcjpwYXNz', KEY]) {
    assert.ok(!out.includes(secret), `${secret} in ${out}`)
  }
  assert.deepEqual(JSON.parse(out).headers, {
    authorization: '[redacted]',
    'x-api-key': '[redacted]',
    Cookie: '[redacted]',
  })
})
