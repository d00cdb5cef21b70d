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

test('metadata and storage are tagged unions: SQLite and the data folder by default', () => {
  const config = loadConfig({}, '/srv/granary')
  assert.deepEqual(config.metadata, { kind: 'sqlite', file: '/srv/granary/data/granary.sqlite' })
  assert.deepEqual(config.storage, { kind: 'local', dir: '/srv/granary/data' })
})

test('PostgreSQL and S3 when configured, carrying only what they need', () => {
  const config = loadConfig({
    GRANARY_DATABASE_URL: 'postgresql://granary:pw@db:5432/granary',
    GRANARY_DATABASE_POOL_SIZE: '25',
    GRANARY_STORAGE: 's3',
    GRANARY_S3_BUCKET: 'lab-data',
    GRANARY_S3_ENDPOINT: 'http://127.0.0.1:9000',
    GRANARY_S3_ACCESS_KEY_ID: 'AK',
    GRANARY_S3_SECRET_ACCESS_KEY: 'SK',
    GRANARY_S3_PREFIX: 'granary/',
  })
  assert.deepEqual(config.metadata, {
    kind: 'postgres',
    url: 'postgresql://granary:pw@db:5432/granary',
    poolSize: 25,
  })
  assert.deepEqual(config.storage, {
    kind: 's3',
    bucket: 'lab-data',
    prefix: 'granary/',
    region: 'us-east-1',
    forcePathStyle: true,
    endpoint: 'http://127.0.0.1:9000',
    credentials: { accessKeyId: 'AK', secretAccessKey: 'SK' },
  })
})

test('frozen all the way down', () => {
  const config = loadConfig({
    GRANARY_STORAGE: 's3',
    GRANARY_S3_BUCKET: 'b',
    GRANARY_S3_ACCESS_KEY_ID: 'AK',
    GRANARY_S3_SECRET_ACCESS_KEY: 'SK',
  })
  assert.ok(Object.isFrozen(config))
  assert.ok(Object.isFrozen(config.metadata))
  assert.ok(Object.isFrozen(config.storage))
  assert.ok(config.storage.kind === 's3' && Object.isFrozen(config.storage.credentials))
  assert.throws(() => {
    ;(config.storage as { bucket: string }).bucket = 'other'
  }, TypeError)
})

test('storage and database problems name their variables', () => {
  for (const [env, name] of [
    [{ GRANARY_STORAGE: 'ftp' }, 'GRANARY_STORAGE'],
    [{ GRANARY_STORAGE: 's3' }, 'GRANARY_S3_BUCKET'],
    [{ GRANARY_DATABASE_URL: 'mysql://x' }, 'GRANARY_DATABASE_URL'],
  ] as const) {
    assert.throws(
      () => loadConfig(env),
      (error) => error instanceof ConfigError && error.problems.some((p) => p.startsWith(name)),
    )
  }
})

test('GRANARY_LINKS: Granary links by default on local storage, direct URLs on S3', () => {
  const s3 = {
    GRANARY_STORAGE: 's3',
    GRANARY_S3_BUCKET: 'b',
    GRANARY_S3_ACCESS_KEY_ID: 'a',
    GRANARY_S3_SECRET_ACCESS_KEY: 's',
  }
  assert.equal(loadConfig({}).links, 'granary')
  assert.equal(loadConfig(s3).links, 'direct')
  assert.equal(loadConfig({ ...s3, GRANARY_LINKS: 'granary' }).links, 'granary')
  assert.equal(loadConfig({ GRANARY_LINKS: 'direct' }).links, 'direct')
  assert.throws(
    () => loadConfig({ GRANARY_LINKS: 'signed' }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.problems.some((p) => p.startsWith('GRANARY_LINKS=signed: expected granary or direct')),
  )
})
