import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { ERROR_CODES } from '@granary/protocol'
import { STATUS_BY_CODE } from '../../src/http/error-handler.ts'

test('docs/errors.md documents every error code with the status the server answers', async () => {
  const doc = await readFile(new URL('../../../../docs/errors.md', import.meta.url), 'utf8')
  const rows = new Map<string, number>()
  for (const match of doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm))
    rows.set(match[1] as string, Number(match[2]))
  assert.deepEqual([...rows.keys()].sort(), [...ERROR_CODES].sort())
  for (const code of ERROR_CODES) assert.equal(rows.get(code), STATUS_BY_CODE[code], code)
})
