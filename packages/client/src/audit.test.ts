import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fakeFetch, json } from '../test/fake-fetch.ts'
import { Granary } from './granary.ts'

const page = { events: [], next_cursor: null }

describe('client.audit and client.revokeLinks', () => {
  it('sends the filters as the query, actions joined and dates as ISO 8601', async () => {
    const fetch = fakeFetch(() => json(page))
    const client = new Granary({ baseUrl: 'http://g.test', apiKey: 'gr_x', fetch })
    assert.deepEqual(
      await client.audit({
        workspaceId: 'ws_lab',
        action: ['file.delete', 'key.revoke'],
        since: new Date('2026-11-01T00:00:00Z'),
        keyPrefix: 'raw/',
        actorKeyId: 'key_1',
        limit: 10,
        cursor: '42',
        order: 'asc',
      }),
      page,
    )
    const [request] = fetch.requests
    assert.equal(request?.url.pathname, '/v1/audit')
    assert.deepEqual(Object.fromEntries(request?.url.searchParams ?? []), {
      workspace_id: 'ws_lab',
      action: 'file.delete,key.revoke',
      since: '2026-11-01T00:00:00.000Z',
      key_prefix: 'raw/',
      actor_key_id: 'key_1',
      limit: '10',
      cursor: '42',
      order: 'asc',
    })
  })

  it('revokes a file’s links with a JSON body', async () => {
    const answer = { workspace_id: 'ws_lab', key: 'a.bam', revoked_at: '2026-11-30T00:00:00.000Z' }
    const fetch = fakeFetch(() => json(answer))
    const client = new Granary({ baseUrl: 'http://g.test', apiKey: 'gr_x', fetch })
    assert.deepEqual(await client.revokeLinks({ workspaceId: 'ws_lab', key: 'a.bam' }), answer)
    const [request] = fetch.requests
    assert.equal(`${request?.method} ${request?.url.pathname}`, 'POST /v1/files/revoke-links')
    assert.deepEqual(JSON.parse(Buffer.from(request?.body ?? []).toString()), {
      workspace_id: 'ws_lab',
      key: 'a.bam',
    })
  })
})
