/** The documentation and help agree with what the server issues. */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'

const root = join(import.meta.dirname, '..', '..', '..')

/** Every page a user reads: READMEs, docs/, and the sources that hold help texts and examples. */
function pages(): string[] {
  const docs = readdirSync(join(root, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`)
  const cli = readdirSync(join(root, 'packages/cli/src'))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'))
    .map((name) => `packages/cli/src/${name}`)
  return [
    'README.md',
    'python/README.md',
    'packages/client/README.md',
    'packages/cli/README.md',
    'packages/client/src/granary.ts',
    ...docs,
    ...cli,
  ]
}

test("API keys appear with one prefix everywhere: the server's gr_", () => {
  const stray: string[] = []
  for (const page of pages()) {
    const text = readFileSync(join(root, page), 'utf8')
    for (const match of text.matchAll(/\b(?:gk|grn|gran)_[\w.]*/g))
      stray.push(`${page}: ${match[0]}`)
  }
  assert.deepEqual(stray, [])
})
