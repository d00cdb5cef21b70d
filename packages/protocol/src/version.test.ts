/** One version for everything: every npm manifest, the Python client and the changelog agree. */
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { GRANARY_VERSION } from './version.ts'

const root = join(import.meta.dirname, '..', '..', '..')
const read = (path: string) => readFileSync(join(root, path), 'utf8')

test('every npm package and its @granary dependencies carry GRANARY_VERSION', () => {
  const manifests = [
    'package.json',
    'bench/package.json',
    ...readdirSync(join(root, 'packages')).map((name) => `packages/${name}/package.json`),
  ]
  for (const path of manifests) {
    const manifest = JSON.parse(read(path)) as {
      version?: string
      dependencies?: Record<string, string>
    }
    assert.equal(manifest.version, GRANARY_VERSION, path)
    for (const [name, range] of Object.entries(manifest.dependencies ?? {})) {
      if (name.startsWith('@granary/')) assert.equal(range, GRANARY_VERSION, `${path}: ${name}`)
    }
  }
})

test('the Python client has the same version', () => {
  const init = read('python/src/granary/__init__.py')
  assert.equal(init.match(/^__version__ = "([^"]+)"$/m)?.[1], GRANARY_VERSION)
})

test('CHANGELOG.md has a section for this version', () => {
  assert.match(
    read('CHANGELOG.md'),
    new RegExp(`^## ${GRANARY_VERSION.replaceAll('.', '\\.')}\\b`, 'm'),
  )
})
