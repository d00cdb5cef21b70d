import assert from 'node:assert/strict'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { after, test } from 'node:test'
import { DurableFile } from './durable-file.ts'

const dir = await mkdtemp(join(tmpdir(), 'granary-durable-file-'))
after(() => rm(dir, { recursive: true, force: true }))

/** 40 MiB in uneven chunks, so writes batch, cross the background-sync mark twice and end mid-chunk. */
function chunks(): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0, left = 40 * 1024 * 1024; left > 0; i++) {
    const size = Math.min(left, 65_536 + ((i * 7919) % 50_000))
    out.push(Buffer.alloc(size, i % 251))
    left -= size
  }
  return out
}

test('writes every chunk in order into a new file', async () => {
  const path = join(dir, 'new')
  const body = chunks()
  await pipeline(Readable.from(body), new DurableFile(path, { flags: 'wx' }))
  assert.deepEqual(await readFile(path), Buffer.concat(body))
})

test('r+ writes at its start offset and leaves the rest of the file alone', async () => {
  const path = join(dir, 'existing')
  await writeFile(path, Buffer.alloc(30, 'a'))
  await pipeline(
    Readable.from([Buffer.from('bbb'), Buffer.from('cc')]),
    new DurableFile(path, { flags: 'r+', start: 10 }),
  )
  assert.equal((await readFile(path)).toString(), `${'a'.repeat(10)}bbbcc${'a'.repeat(15)}`)
})

test('wx refuses a file that exists, and the pipeline fails with the error', async () => {
  const path = join(dir, 'taken')
  await writeFile(path, 'kept')
  await assert.rejects(
    pipeline(Readable.from([Buffer.from('x')]), new DurableFile(path, { flags: 'wx' })),
    { code: 'EEXIST' },
  )
  assert.equal(await readFile(path, 'utf8'), 'kept')
})

test('a body that fails mid-way fails the pipeline and closes the file', async () => {
  const path = join(dir, 'failed')
  const sink = new DurableFile(path, { flags: 'wx' })
  async function* failing() {
    yield Buffer.alloc(20 * 1024 * 1024, 1)
    throw new Error('client went away')
  }
  await assert.rejects(pipeline(Readable.from(failing()), sink), /client went away/)
  if (!sink.closed) await new Promise((resolve) => sink.once('close', resolve))
  await rm(path)
})
