import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { json, runCli } from '../test/harness.ts'

const event = {
  id: 'ev_1',
  seq: 7,
  at: '2026-11-30T02:00:00.000Z',
  actor_key_id: 'key_abc',
  actor_key_name: 'pipeline',
  action: 'file.delete',
  workspace_id: 'ws_lab',
  key: 'raw/a.vcf',
  version_id: 'v1',
  size: 2048,
  ip: '192.0.2.7',
  request_id: 'req_1',
  outcome: 'ok',
}

describe('granary audit', () => {
  it('asks for the workspace, the filters and the order, and prints a table', async () => {
    const result = await runCli(
      ['audit', '-w', 'ws_lab', '--action', 'file.delete,key.revoke', '--key-prefix', 'raw/'],
      () => json({ events: [event], next_cursor: '7' }),
    )
    assert.equal(result.code, 0, result.stderr)
    const url = result.requests[0]?.url
    assert.equal(url?.pathname, '/v1/audit')
    assert.equal(url?.searchParams.get('workspace_id'), 'ws_lab')
    assert.equal(url?.searchParams.get('action'), 'file.delete,key.revoke')
    assert.equal(url?.searchParams.get('key_prefix'), 'raw/')
    assert.equal(url?.searchParams.get('order'), 'desc')
    assert.deepEqual(result.stdout.split('\n').slice(0, 2), [
      'AT                   ACTOR               ACTION       OUTCOME  WORKSPACE  KEY        SIZE     IP',
      '2026-11-30 02:00:00  pipeline (key_abc)  file.delete  ok       ws_lab     raw/a.vcf  2.0 KiB  192.0.2.7',
    ])
    assert.match(result.stderr, /--cursor 7/)
  })

  it('--all-workspaces sends no workspace; --json prints the page', async () => {
    const result = await runCli(['audit', '--all-workspaces', '--asc', '--json'], () =>
      json({ events: [event], next_cursor: null }),
    )
    const url = result.requests[0]?.url
    assert.equal(url?.searchParams.has('workspace_id'), false)
    assert.equal(url?.searchParams.get('order'), 'asc')
    assert.deepEqual(JSON.parse(result.stdout), { events: [event], next_cursor: null })
  })

  it('granary revoke-links posts the workspace and the key', async () => {
    const answer = { workspace_id: 'ws_lab', key: 'a.bam', revoked_at: '2026-11-30T00:00:00.000Z' }
    const result = await runCli(['revoke-links', 'a.bam', '-w', 'ws_lab'], () => json(answer))
    assert.equal(result.code, 0, result.stderr)
    assert.equal(
      `${result.requests[0]?.method} ${result.requests[0]?.url.pathname}`,
      'POST /v1/files/revoke-links',
    )
    assert.equal(
      result.stdout,
      'revoked every link to a.bam issued before 2026-11-30T00:00:00.000Z\n',
    )
  })
})
