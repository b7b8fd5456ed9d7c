/**
 * Batch: what a key's read may be answered by. The freshness promise (a key is read by a call
 * made after it was asked for) is what the read cache's coherence on PostgreSQL stands on; the
 * multi-instance tests hold it end to end, these hold the batching rules themselves.
 */
import { describe, expect, test } from 'vitest'
import { Batch } from './batch.js'

/** A loadMany whose calls are answered when the test says so. */
function deferredLoader() {
  const calls: { keys: string[]; answer: () => void; fail: (error: Error) => void }[] = []
  const loadMany = (keys: string[]) =>
    new Promise<string[]>((resolve, reject) => {
      // Each key answered with the number of the call that read it.
      const n = calls.length + 1
      calls.push({ keys, answer: () => resolve(keys.map((k) => `${k}@${n}`)), fail: reject })
    })
  return { calls, loadMany }
}

const turn = () => new Promise((resolve) => setImmediate(resolve))

/** Asks for each key in a turn of the event loop of its own; the answers' promises, in order. */
async function oneATurn(batch: Batch<string, string>, keys: string[]): Promise<Promise<string>[]> {
  const answers: Promise<string>[] = []
  for (const key of keys) {
    answers.push(batch.load(key))
    await turn()
  }
  return answers
}

describe('Batch', () => {
  test('the keys of one turn go in one call, a key asked twice once', async () => {
    const { calls, loadMany } = deferredLoader()
    const batch = new Batch(loadMany)
    const answers = Promise.all([batch.load('a'), batch.load('b'), batch.load('a')])
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b']])
    calls[0]?.answer()
    expect(await answers).toEqual(['a@1', 'b@1', 'a@1'])
  })

  test('with one call out at a time, keys asked meanwhile wait and go together in the next call, never in the one out', async () => {
    const { calls, loadMany } = deferredLoader()
    const batch = new Batch(loadMany, { max: 100, inFlight: 1 })
    const first = batch.load('a')
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a']])
    // Asked while the first call is out, over several turns: a again (it must be read afresh), b, c.
    const [again, b, c] = await oneATurn(batch, ['a', 'b', 'c'])
    expect(calls).toHaveLength(1)
    calls[0]?.answer()
    expect(await first).toBe('a@1')
    await turn()
    await turn()
    expect(calls.map((call) => call.keys)).toEqual([['a'], ['a', 'b', 'c']])
    calls[1]?.answer()
    expect(await Promise.all([again, b, c])).toEqual(['a@2', 'b@2', 'c@2'])
  })

  test('lingering two turns once keys come several at a time: the keys of the next two turns join the call, the third turn\'s wait for the next', async () => {
    const { calls, loadMany } = deferredLoader()
    const batch = new Batch(loadMany, { max: 100, inFlight: 1, linger: 2 })
    // Two keys in one turn: requests are coming together.
    const first = Promise.all([batch.load('x'), batch.load('y')])
    await turn()
    calls[0]?.answer()
    await first
    const [a, b, c, d] = await oneATurn(batch, ['a', 'b', 'c', 'd'])
    expect(calls.map((call) => call.keys)).toEqual([['x', 'y'], ['a', 'b', 'c']])
    calls[1]?.answer()
    expect(await Promise.all([a, b, c])).toEqual(['a@2', 'b@2', 'c@2'])
    for (let i = 0; i < 4; i++) await turn()
    expect(calls.map((call) => call.keys)).toEqual([['x', 'y'], ['a', 'b', 'c'], ['d']])
    calls[2]?.answer()
    expect(await d).toBe('d@3')
  })

  test('keys that come one by one are not held: each call goes after the turn it was asked in', async () => {
    const { calls, loadMany } = deferredLoader()
    const batch = new Batch(loadMany, { max: 100, inFlight: 1, linger: 2 })
    for (const [i, key] of ['a', 'b', 'c'].entries()) {
      const answer = batch.load(key)
      // Two turns: the call may only be scheduled once the last one's bookkeeping is done; a
      // held key would wait three.
      await turn()
      await turn()
      expect(calls.map((call) => call.keys)).toEqual(['a', 'b', 'c'].slice(0, i + 1).map((k) => [k]))
      calls[i]?.answer()
      expect(await answer).toBe(`${key}@${i + 1}`)
    }
  })

  test('a failed call fails its own keys only, and the waiting keys still go', async () => {
    const { calls, loadMany } = deferredLoader()
    const batch = new Batch(loadMany, { max: 100, inFlight: 1 })
    const first = batch.load('a')
    await turn()
    const waiting = batch.load('b')
    calls[0]?.fail(new Error('connection lost'))
    await expect(first).rejects.toThrow('connection lost')
    await turn()
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a'], ['b']])
    calls[1]?.answer()
    expect(await waiting).toBe('b@2')
  })

  test('no call carries more than max keys; past the calls allowed out, the rest wait', async () => {
    const { calls, loadMany } = deferredLoader()
    const batch = new Batch(loadMany, { max: 2, inFlight: 2 })
    const answers = Promise.all(['a', 'b', 'c', 'd', 'e'].map((k) => batch.load(k)))
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b'], ['c', 'd']])
    calls[0]?.answer()
    await turn()
    await turn()
    expect(calls.map((c) => c.keys)).toEqual([['a', 'b'], ['c', 'd'], ['e']])
    calls[1]?.answer()
    calls[2]?.answer()
    expect(await answers).toEqual(['a@1', 'b@1', 'c@2', 'd@2', 'e@3'])
  })
})
