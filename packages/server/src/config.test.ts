import assert from 'node:assert/strict'
import { test } from 'node:test'
import { ConfigError, loadConfig } from './config.ts'

test('defaults: 127.0.0.1:8080, ./data, 500 MB, frozen', () => {
  const config = loadConfig({}, '/srv/granary')
  assert.equal(config.host, '127.0.0.1')
  assert.equal(config.port, 8080)
  assert.equal(config.dataDir, '/srv/granary/data')
  assert.equal(config.publicUrl, 'http://127.0.0.1:8080')
  assert.equal(config.maxUploadBytes, 500_000_000)
  assert.equal(config.adminKey, undefined)
  assert.ok(Object.isFrozen(config))
})

test('variables are read', () => {
  const config = loadConfig({
    PORT: '9000',
    HOST: '::1',
    GRANARY_DATA_DIR: '/var/lib/granary',
    GRANARY_PUBLIC_URL: 'https://files.example.org/',
    GRANARY_MAX_UPLOAD_BYTES: '1000',
    GRANARY_ADMIN_KEY: 'k'.repeat(20),
    GRANARY_SIGNING_SECRET: 's'.repeat(40),
  })
  assert.equal(config.port, 9000)
  assert.equal(config.dataDir, '/var/lib/granary')
  assert.equal(config.publicUrl, 'https://files.example.org')
  assert.equal(config.maxUploadBytes, 1000)
  assert.equal(loadConfig({ HOST: '::1', PORT: '81' }).publicUrl, 'http://[::1]:81')
})

test('every problem is reported at once, each naming its variable', () => {
  try {
    loadConfig({
      PORT: 'eighty',
      GRANARY_MAX_UPLOAD_BYTES: '-1',
      GRANARY_PUBLIC_URL: 'ftp://x',
      GRANARY_ADMIN_KEY: 'short',
      GRANARY_SIGNING_SECRET: 'short',
      GRANARY_LOG_LEVEL: 'loud',
    })
    assert.fail('expected a ConfigError')
  } catch (error) {
    assert.ok(error instanceof ConfigError)
    const names = [
      'PORT',
      'GRANARY_MAX_UPLOAD_BYTES',
      'GRANARY_PUBLIC_URL',
      'GRANARY_ADMIN_KEY',
      'GRANARY_SIGNING_SECRET',
      'GRANARY_LOG_LEVEL',
    ]
    assert.equal(error.problems.length, names.length)
    for (const name of names)
      assert.ok(
        error.problems.some((p) => p.startsWith(name)),
        name,
      )
  }
})
