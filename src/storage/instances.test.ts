/**
 * Two instances of the repository, each with its own connections to one database, as two server
 * processes have: a write by one is never decided on a row the other has since changed. On
 * PostgreSQL an instance writes on the row its own last write left, as a guess the conditional
 * write confirms (see modifyOptimistic); these are the cases where the guess is wrong. What the
 * writes left is read back through the HTTP API.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { StoredLlm } from '../domain/llm.js'
import { startHarness, stopHarness, validLlm, type Harness, type Tenant } from '../testing/harness.js'
import { openDatabase, type Storage } from './database.js'
import { KyselyLlmRepository } from './llm-repository.js'

let h: Harness
let storages: Storage[]
let a: KyselyLlmRepository
let b: KyselyLlmRepository
beforeAll(async () => {
  h = await startHarness()
  storages = [openDatabase(h.database.config), openDatabase(h.database.config)]
  ;[a, b] = storages.map((storage) => new KyselyLlmRepository(storage)) as [KyselyLlmRepository, KyselyLlmRepository]
})
afterAll(async () => {
  await Promise.all(storages.map((storage) => storage.close()))
  await stopHarness(h)
})

/** Sets fields; nothing to write (null) when they hold those values already, as the domain decides. */
const set = (fields: Partial<StoredLlm>) => (current: StoredLlm | undefined) => {
  if (current === undefined) return null
  if (Object.entries(fields).every(([k, v]) => current[k as keyof StoredLlm] === v)) return null
  return { ...current, ...fields, updatedAt: new Date().toISOString() }
}

async function llm(): Promise<{ t: Tenant; id: string }> {
  const t = await h.tenant()
  return { t, id: (await h.createLlm(t.key, { temperature: 0.1, displayName: 'First' })).id }
}

const read = async (t: Tenant, id: string) => {
  const got = await h.get(`/v1/llms/${id}`, t.key)
  return { ...got.body, etag: got.headers.get('etag'), events: (await h.get(`/v1/llms/${id}/history`, t.key)).body.meta.total }
}

describe('two instances writing one LLM', () => {
  test('a change of another field by the other instance is kept', async () => {
    const { t, id } = await llm()
    await a.modify(id, set({ temperature: 0.5 }), 'test')
    await b.modify(id, set({ description: 'from b' }), 'test')
    await a.modify(id, set({ temperature: 0.7 }), 'test')
    expect(await read(t, id)).toMatchObject({ temperature: 0.7, description: 'from b', etag: '"4"', events: 4 })
  })

  test('setting the value this instance last wrote, after the other changed it, is a change', async () => {
    const { t, id } = await llm()
    await a.modify(id, set({ temperature: 0.5 }), 'test')
    await b.modify(id, set({ temperature: 0.9 }), 'test')
    const result = await a.modify(id, set({ temperature: 0.5 }), 'test')
    expect(result?.version).toBe(4)
    expect(await read(t, id)).toMatchObject({ temperature: 0.5, etag: '"4"', events: 4 })
  })

  test('a precondition on the version the other instance wrote holds', async () => {
    const { t, id } = await llm()
    await a.modify(id, set({ temperature: 0.5 }), 'test')
    await b.modify(id, set({ temperature: 0.9 }), 'test')
    const ifVersion = (version: number) => (current: StoredLlm | undefined) => {
      if (current?.version !== version) throw new Error(`precondition failed at ${current?.version}`)
      return set({ maxTokens: 77 })(current)
    }
    await expect(a.modify(id, ifVersion(3), 'test')).resolves.toMatchObject({ version: 4, maxTokens: 77, temperature: 0.9 })
    await expect(a.modify(id, ifVersion(3), 'test')).rejects.toThrow('precondition failed at 4')
    expect(await read(t, id)).toMatchObject({ maxTokens: 77, temperature: 0.9, etag: '"4"', events: 4 })
  })

  test('deleted and created again under the same id, at the same version: the new record is written on', async () => {
    const { t, id } = await llm()
    await a.modify(id, set({ temperature: 0.5 }), 'test')
    const old = await h.stored(id)
    expect(old?.version).toBe(2)
    expect((await h.delete(`/v1/llms/${id}`, t.key)).status).toBe(204)
    expect((await h.post(`/v1/llms?id=${id}`, t.key, validLlm({ displayName: 'Second', temperature: 0.1 }))).status).toBe(201)
    await b.modify(id, set({ description: 'second life' }), 'test')
    expect((await h.stored(id))?.version).toBe(2)

    await a.modify(id, set({ maxTokens: 42 }), 'test')
    expect(await read(t, id)).toMatchObject({ displayName: 'Second', description: 'second life', maxTokens: 42, temperature: 0.1, etag: '"3"' })
    // The snapshot of version 3 is of the record it was written on, not of the one deleted.
    const snapshot = (await h.get(`/v1/llms/${id}/versions/3`, t.key)).body
    expect(JSON.stringify(snapshot)).toContain('second life')
    expect(JSON.stringify(snapshot)).not.toContain('First')
  })
})
