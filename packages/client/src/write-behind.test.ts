import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { WriteBehind } from './write-behind.ts'

const chunk = (byte: number, length = 4) => new Uint8Array(length).fill(byte)

/** A write that stays pending until released, recording what it was given. */
function gatedWrites() {
  const writes: number[][] = []
  const releases: Array<(err?: Error) => void> = []
  let running = 0
  let mostAtOnce = 0
  const write = (chunks: Uint8Array[]) => {
    running++
    mostAtOnce = Math.max(mostAtOnce, running)
    writes.push(chunks.map((c) => c[0] ?? -1))
    return new Promise<void>((resolve, reject) => {
      releases.push((err) => {
        running--
        if (err) reject(err)
        else resolve()
      })
    })
  }
  return { write, writes, releases, mostAtOnce: () => mostAtOnce }
}

describe('WriteBehind', () => {
  it('writes full batches in order, one at a time, while the next batch fills', async () => {
    const gate = gatedWrites()
    const writer = new WriteBehind(gate.write, 8)
    assert.equal(writer.push(chunk(1)), undefined)
    assert.equal(writer.push(chunk(2)), undefined, 'the first full batch starts writing')
    assert.deepEqual(gate.writes, [[1, 2]])
    assert.equal(writer.push(chunk(3)), undefined, 'the next batch fills during the write')
    const wait = writer.push(chunk(4))
    assert.ok(wait instanceof Promise, 'a second full batch makes the reader wait')
    assert.equal(gate.writes.length, 1)
    gate.releases[0]?.()
    await wait
    assert.deepEqual(gate.writes, [
      [1, 2],
      [3, 4],
    ])
    writer.push(chunk(5))
    const finished = writer.finish()
    gate.releases[1]?.()
    await new Promise((resolve) => setImmediate(resolve))
    gate.releases[2]?.()
    await finished
    assert.deepEqual(gate.writes, [[1, 2], [3, 4], [5]])
    assert.equal(gate.mostAtOnce(), 1)
  })

  it('raises a failed write to the reader and to finish', async () => {
    const gate = gatedWrites()
    const writer = new WriteBehind(gate.write, 4)
    writer.push(chunk(1))
    gate.releases[0]?.(new Error('disk full'))
    await new Promise((resolve) => setImmediate(resolve))
    await assert.rejects(writer.push(chunk(2)) ?? Promise.resolve(), /disk full/)
    await assert.rejects(writer.finish(), /disk full/)
    assert.equal(gate.writes.length, 1, 'nothing is written after a failure')
  })
})
