import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { test } from 'node:test'
import { ERROR_CODES, errorDetailsSchemas } from '@granary/protocol'
import { STATUS_BY_CODE } from '../../src/http/error-handler.ts'

test('docs/errors.md documents every error code with the status the server answers', async () => {
  const doc = await readFile(new URL('../../../../docs/errors.md', import.meta.url), 'utf8')
  const rows = new Map<string, number>()
  for (const match of doc.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|/gm))
    rows.set(match[1] as string, Number(match[2]))
  assert.deepEqual([...rows.keys()].sort(), [...ERROR_CODES].sort())
  for (const code of ERROR_CODES) assert.equal(rows.get(code), STATUS_BY_CODE[code], code)
})

test("docs/errors.md lists each code's details fields as protocol's schemas define them", async () => {
  const doc = await readFile(new URL('../../../../docs/errors.md', import.meta.url), 'utf8')
  const section = doc.slice(doc.indexOf('## Details'))
  const documented = new Map<string, { fields: string[]; required: string[] }>()
  for (const match of section.matchAll(/^\| `([a-z_]+)` \| (.+) \|$/gm)) {
    const cell = match[2] as string
    // A field is a backquoted snake_case name followed by its type in parentheses, or listed
    // before others sharing it (`free_bytes`, `min_free_bytes` (integer)).
    const fields = [...cell.matchAll(/`([a-z_0-9]+)`(?=(?:, `[a-z_0-9]+`)* \()/g)].map((m) => m[1])
    const required = [...cell.matchAll(/`([a-z_0-9]+)` \([^)]*required\)/g)].map((m) => m[1])
    documented.set(match[1] as string, {
      fields: fields.filter((f) => f !== undefined).sort(),
      required: required.filter((f) => f !== undefined).sort(),
    })
  }
  const schemas = errorDetailsSchemas as Record<
    string,
    { properties: object; required: readonly string[] }
  >
  assert.deepEqual([...documented.keys()].sort(), Object.keys(schemas).sort())
  for (const [code, schema] of Object.entries(schemas)) {
    assert.deepEqual(documented.get(code)?.fields, Object.keys(schema.properties).sort(), code)
    assert.deepEqual(documented.get(code)?.required, [...schema.required].sort(), code)
    for (const field of Object.keys(schema.properties)) assert.match(field, /^[a-z0-9_]+$/, code)
  }
})
