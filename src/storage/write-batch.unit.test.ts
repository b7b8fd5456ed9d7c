/**
 * WriteBatch: which writes go together, and when. That a PUT is never decided against a row
 * another write is changing is the repository's (its writes of one LLM take turns), held end to
 * end on PostgreSQL by write-batch.test.ts with the batching itself.
 */
import { describe, expect, test } from 'vitest'
import { WriteBatch } from './write-batch.js'

interface Write {
  key: string
  group: string
}

/** A runMany whose calls are answered (each write with the number of its call) when the test says so. */
function deferredWriter() {
  const calls: { keys: string[]; answer: () => void; fail: (error: Error) => void }[] = []
  const runMany = (writes: Write[]) =>
    new Promise<string[]>((resolve, reject) => {
      const n = calls.length + 1
      calls.push({ keys: writes.map((w) => w.key), answer: () => resolve(writes.map((w) => `${w.key}@${n}`)), fail: reject })
    })
  return { calls, runMany }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

function batchOf(runMany: (writes: Write[]) => Promise<string[]>, inFlight: number, max = 16) {
  return new WriteBatch<Write, string>(runMany, (w) => w.key, (w) => w.group, inFlight, max)
}

describe('WriteBatch', () => {
  test('two writes of one key never go in one call: with two calls allowed out, the second goes in a call of its own', async () => {
    const { calls, runMany } = deferredWriter()
    const batch = batchOf(runMany, 2)
    const first = batch.run({ key: 'a', group: 'g' })
    const again = batch.run({ key: 'a', group: 'g' })
    const other = batch.run({ key: 'b', group: 'g' })
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b'], ['a']])
    calls[1]?.answer()
    calls[0]?.answer()
    expect([await first, await again, await other]).toEqual(['a@1', 'a@2', 'b@1'])
  })

  test('one call carries one write a key and one group (that of the oldest waiting write), at most max', async () => {
    const { calls, runMany } = deferredWriter()
    const batch = batchOf(runMany, 1, 3)
    const all = [
      batch.run({ key: 'a', group: 'x' }),
      batch.run({ key: 'a', group: 'x' }),
      batch.run({ key: 'b', group: 'y' }),
      batch.run({ key: 'c', group: 'x' }),
      batch.run({ key: 'd', group: 'x' }),
      batch.run({ key: 'e', group: 'x' }),
    ]
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a', 'c', 'd']])
    calls[0]?.answer()
    await turn()
    // `a` again is now the oldest, and its group's `e` goes with it; `b` waits for its own.
    expect(calls.map((c) => c.keys)).toEqual([['a', 'c', 'd'], ['a', 'e']])
    calls[1]?.answer()
    await turn()
    calls[2]?.answer()
    expect(await Promise.all(all)).toEqual(['a@1', 'a@2', 'b@3', 'c@1', 'd@1', 'e@2'])
  })

  test('a call that fails is run again one write at a time, so only the write that fails alone fails', async () => {
    const { calls, runMany } = deferredWriter()
    const batch = batchOf(runMany, 1)
    const a = batch.run({ key: 'a', group: 'g' })
    const b = batch.run({ key: 'b', group: 'g' })
    await turn()
    calls[0]?.fail(new Error('the statement failed'))
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b'], ['a'], ['b']])
    calls[1]?.answer()
    calls[2]?.fail(new Error('b fails alone'))
    expect(await a).toBe('a@2')
    await expect(b).rejects.toThrow('b fails alone')
    expect(batch.stats).toEqual({ calls: 3, writes: 4, outMs: expect.any(Number) })
  })
})
