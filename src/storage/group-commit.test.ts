/**
 * Writes asked for together: on SQLite they commit together (group-commit.ts); on both backends
 * one that fails among them changes nothing and takes nothing of the others with it. The writes
 * are asked of the repository in one turn of the event loop (so on SQLite they are one group, for
 * certain); what they left is read back through the HTTP API.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { StoredLlm } from '../domain/llm.js'
import { BACKEND, startHarness, stopHarness, type Harness, type Tenant } from '../testing/harness.js'
import { KyselyLlmRepository } from './llm-repository.js'

let h: Harness
let repository: KyselyLlmRepository
beforeAll(async () => {
  h = await startHarness()
  repository = new KyselyLlmRepository(h.requireStorage())
})
afterAll(() => stopHarness(h))

const setTemperature = (temperature: number) => (current: StoredLlm | undefined) =>
  current === undefined ? null : { ...current, temperature, updatedAt: new Date().toISOString() }

async function llms(count: number): Promise<{ t: Tenant; ids: string[] }> {
  const t = await h.tenant()
  const created = await Promise.all(Array.from({ length: count }, () => h.createLlm(t.key, { temperature: 0.5 })))
  return { t, ids: created.map((llm) => llm.id as string) }
}

async function seen(t: Tenant, id: string): Promise<{ temperature: number; etag: string | null; versions: number; events: number }> {
  const got = await h.get(`/v1/llms/${id}`, t.key)
  const versions = await h.get(`/v1/llms/${id}/versions`, t.key)
  const history = await h.get(`/v1/llms/${id}/history`, t.key)
  return { temperature: got.body.temperature, etag: got.headers.get('etag'), versions: versions.body.meta.total, events: history.body.meta.total }
}

/** A query builder transaction held open on the writing connection until `release` is called. */
async function holdTransaction(): Promise<{ release: () => void; open: Promise<void> }> {
  let release = () => {}
  const held = new Promise<void>((resolve) => (release = resolve))
  const open = h.requireStorage().db.transaction().execute(async (trx) => {
    await sql`select 1`.execute(trx)
    await held
  })
  await new Promise((resolve) => setImmediate(resolve))
  return { release, open }
}

describe('writes asked together', () => {
  test('an update whose last statement fails is rolled back whole; the others in its group commit', async () => {
    const { t, ids } = await llms(6)
    const [doomed] = ids as [string]
    const db = h.requireStorage().db
    if (BACKEND === 'postgres') {
      // A snapshot already holds the doomed LLM's next version: its statement updates the row,
      // then fails on the snapshot's key.
      await sql`insert into llm_versions (llm_id, version, at, action, key_id, changed_fields, settings, has_secret)
        values (${doomed}, 2, ${new Date().toISOString()}, 'update', 'test', '[]', '{}', false)`.execute(db)
    } else {
      // Its version is inserted, then the row's update, last, fails.
      await sql`create trigger doomed before update on llms when new.id = ${sql.lit(doomed)} begin select raise(abort, 'doomed'); end`.execute(db)
    }
    const before = repository.commitStats()

    const outcomes = await Promise.allSettled(ids.map((id, i) => repository.modify(id, setTemperature(1 + i / 10), 'test'))).finally(async () => {
      // Gone whatever happened, so that no later test meets it.
      if (BACKEND === 'sqlite') await sql`drop trigger doomed`.execute(db)
    })
    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled'])
    expect(await seen(t, doomed)).toEqual({ temperature: 0.5, etag: '"1"', versions: BACKEND === 'postgres' ? 2 : 1, events: 1 })
    for (const [i, id] of ids.entries()) {
      if (i > 0) expect(await seen(t, id)).toEqual({ temperature: 1 + i / 10, etag: '"2"', versions: 2, events: 2 })
    }
    if (BACKEND === 'sqlite') expect(repository.commitStats()).toEqual({ commits: before.commits + 1, writes: before.writes + 5 })
  })

  test('a refused update (the domain throws) and a create of a taken id fail alone; the rest of the group lands', async () => {
    const { t, ids } = await llms(3)
    const stored = await h.stored(ids[0] as string)
    if (stored === undefined) throw new Error('fixture missing')
    const before = repository.commitStats()
    const fresh = { ...stored, id: crypto.randomUUID(), displayName: 'Fresh in the group' } as StoredLlm

    const outcomes = await Promise.allSettled([
      repository.modify(ids[0] as string, () => {
        throw new Error('refused by the domain')
      }, 'test'),
      repository.insert({ ...stored, displayName: 'Same id again' } as StoredLlm, 'test'),
      repository.insert(fresh, 'test'),
      repository.modify(ids[1] as string, setTemperature(1.5), 'test'),
    ])

    expect(outcomes.map((o) => o.status)).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled'])
    expect(String((outcomes[0] as PromiseRejectedResult).reason)).toMatch(/refused by the domain/)
    expect((outcomes[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'id_not_available' })
    expect(await seen(t, ids[0] as string)).toEqual({ temperature: 0.5, etag: '"1"', versions: 1, events: 1 })
    expect((await h.get(`/v1/llms/${fresh.id}`, t.key)).body.displayName).toBe('Fresh in the group')
    expect((await seen(t, ids[1] as string)).temperature).toBe(1.5)
    if (BACKEND === 'sqlite') expect(repository.commitStats()).toEqual({ commits: before.commits + 1, writes: before.writes + 2 })
  })

  // SQLite only: there a group runs its writes in the order they were asked, so the second update
  // of `a` must build on the first. On PostgreSQL concurrent writes have no order to keep.
  test.runIf(BACKEND === 'sqlite')('a write refused between two updates of one LLM in a group: the second still builds on the first, and each LLM keeps exactly its own', async () => {
    const { t, ids } = await llms(2)
    const [a, b] = ids as [string, string]
    const decided: number[] = []
    const outcomes = await Promise.allSettled([
      repository.modify(a, setTemperature(1.1), 'test'),
      repository.modify(b, setTemperature(1.9), 'test'),
      repository.modify(a, () => {
        throw new Error('refused by the domain')
      }, 'test'),
      repository.modify(a, (current) => {
        if (current === undefined) return null
        decided.push(current.temperature as number)
        return { ...current, temperature: current.temperature === 1.1 ? 1.3 : 0, updatedAt: new Date().toISOString() }
      }, 'test'),
    ])

    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled'])
    // Whatever ran and was undone, the decision that counted saw the first update.
    expect(decided.at(-1)).toBe(1.1)
    expect(await seen(t, a)).toEqual({ temperature: 1.3, etag: '"3"', versions: 3, events: 3 })
    expect(await seen(t, b)).toEqual({ temperature: 1.9, etag: '"2"', versions: 2, events: 2 })
  })

  test.runIf(BACKEND === 'sqlite')('a write asked one turn of the event loop after another joins its commit', async () => {
    const { t, ids } = await llms(2)
    const before = repository.commitStats()
    const first = repository.modify(ids[0] as string, setTemperature(1.1), 'test')
    await new Promise((resolve) => setImmediate(resolve))
    const second = repository.modify(ids[1] as string, setTemperature(1.2), 'test')
    await Promise.all([first, second])
    expect(repository.commitStats()).toEqual({ commits: before.commits + 1, writes: before.writes + 2 })
    expect([(await seen(t, ids[0] as string)).temperature, (await seen(t, ids[1] as string)).temperature]).toEqual([1.1, 1.2])
  })

  test.runIf(BACKEND === 'sqlite')('writes asked while another transaction is open wait for it, then all land', async () => {
    const { t, ids } = await llms(3)
    const { release, open } = await holdTransaction()
    expect(h.requireStorage().writer?.inTransaction).toBe(true)

    const writes = ids.map((id) => repository.modify(id, setTemperature(1.7), 'test'))
    await new Promise((resolve) => setTimeout(resolve, 20))
    release()
    await open
    await Promise.all(writes)

    for (const id of ids) expect(await seen(t, id)).toMatchObject({ temperature: 1.7, etag: '"2"', events: 2 })
  })

  // The group's write reuses the row its last write of the LLM left (see knownOnWriter); a write
  // that ran through the query builder instead (the connection was inside its transaction) does
  // not move the connection's data_version, and must still be what the next write builds on.
  test.runIf(BACKEND === 'sqlite')('a write that ran through the query builder is what the next grouped write of the LLM builds on', async () => {
    const { t, ids } = await llms(1)
    const [id] = ids as [string]
    await repository.modify(id, setTemperature(1.1), 'test')
    const { release, open } = await holdTransaction()
    const locked = repository.modify(id, setTemperature(1.2), 'test')
    await new Promise((resolve) => setTimeout(resolve, 20))
    release()
    await open
    await locked

    const next = await repository.modify(id, (current) => (current === undefined ? null : { ...current, maxTokens: 77, updatedAt: new Date().toISOString() }), 'test')
    expect(next).toMatchObject({ version: 4, temperature: 1.2, maxTokens: 77 })
    expect(await seen(t, id)).toEqual({ temperature: 1.2, etag: '"4"', versions: 4, events: 4 })
    expect((await h.stored(id))?.maxTokens).toBe(77)
  })
})
