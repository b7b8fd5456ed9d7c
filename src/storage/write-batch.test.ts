/**
 * PostgreSQL: concurrent PUTs of different LLMs are written by one statement (see WriteBatch),
 * each still all or nothing on its own: its row, audit event and version together, and a write
 * that fails fails alone. PostgreSQL only (SQLite's writes commit together by GroupCommit).
 */
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BACKEND, startHarness, stopHarness, type Harness } from '../testing/harness.js'

const run = BACKEND === 'postgres'
let h: Harness

beforeAll(async () => {
  if (run) h = await startHarness()
})
afterAll(() => stopHarness(h))

/** Runs SQL on the test database directly (what the service cannot be asked to do). */
async function onDatabase<R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: h.database.url })
  await client.connect()
  try {
    return (await client.query<R>(text, values)).rows
  } finally {
    await client.end()
  }
}

describe.runIf(run)('PostgreSQL: concurrent updates written together', () => {
  test('20 concurrent PUTs of 20 LLMs: every change, audit event and version is there, in fewer than 20 transactions', async () => {
    const t = await h.tenant()
    const llms = await Promise.all(Array.from({ length: 20 }, (_, i) => h.createLlm(t.key, { displayName: `Batch ${i}` })))
    const replies = await Promise.all(llms.map((llm, i) => h.put(`/v1/llms/${llm.id}`, t.key, { maxTokens: 1000 + i })))
    expect(replies.map((r) => [r.status, r.body.maxTokens, r.headers.get('etag')])).toEqual(llms.map((_, i) => [200, 1000 + i, '"2"']))
    for (const [i, llm] of llms.entries()) {
      expect((await h.get(`/v1/llms/${llm.id}`, t.key)).body.maxTokens).toBe(1000 + i)
      const history = (await h.get(`/v1/llms/${llm.id}/history`, t.key)).body.data
      expect(history.map((e: any) => [e.action, e.version, e.fields])).toEqual([['update', 2, ['maxTokens']], ['create', 1, expect.any(Array)]])
      const versions = (await h.get(`/v1/llms/${llm.id}/versions`, t.key)).body.data
      expect(versions.map((v: any) => [v.version, v.action, v.changedFields])).toEqual([[2, 'update', ['maxTokens']], [1, 'create', expect.any(Array)]])
      expect((await h.get(`/v1/llms/${llm.id}/versions/2`, t.key)).body.maxTokens).toBe(1000 + i)
    }
    // Rows a transaction writes carry its id (xmin): the 20 updates' audit events came in fewer.
    const [counted] = await onDatabase<{ transactions: number }>(
      `select count(distinct xmin::text)::int as "transactions" from llm_versions where action = 'update' and llm_id = any($1::text[])`,
      [llms.map((llm) => llm.id)],
    )
    expect(counted?.transactions).toBeLessThan(20)
  })

  test('10 concurrent PUTs of one LLM take turns: each is decided against the row the one before left, and written once', async () => {
    const t = await h.tenant()
    const llm = await h.createLlm(t.key, { displayName: 'Turns' })
    const stats = h.services?.pgWrites
    if (stats === undefined) throw new Error('the services count no PostgreSQL writes')
    const before = stats()
    const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => h.put(`/v1/llms/${llm.id}`, t.key, { maxTokens: 3000 + i })))
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200))
    // Every version from 2 to 11 once, each PUT's answer its own version of the row.
    const versions = replies.map((r) => Number(r.headers.get('etag')?.replaceAll('"', '')))
    expect([...versions].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 2))
    for (const [i, reply] of replies.entries()) {
      expect(reply.body.maxTokens).toBe(3000 + i)
      expect((await h.get(`/v1/llms/${llm.id}/versions/${versions[i]}`, t.key)).body.maxTokens).toBe(3000 + i)
    }
    // No write was decided against a row another had already changed and sent again.
    expect(stats().writes - before.writes).toBe(10)
  })

  test('a write that fails among concurrent ones fails alone: the others are written, it changes nothing', async () => {
    const t = await h.tenant()
    const llms = await Promise.all(Array.from({ length: 10 }, (_, i) => h.createLlm(t.key, { displayName: `Fails ${i}` })))
    // The database refuses one value, as it might refuse a write for a reason of its own.
    await onDatabase(`create function refuse_4242() returns trigger language plpgsql as $$
      begin if new.max_tokens = 4242 then raise exception 'refused by the test'; end if; return new; end $$`)
    await onDatabase(`create trigger refuse_4242 before update on llms for each row execute function refuse_4242()`)
    try {
      const replies = await Promise.all(llms.map((llm, i) => h.put(`/v1/llms/${llm.id}`, t.key, { maxTokens: i === 3 ? 4242 : 2000 + i })))
      expect(replies.map((r) => r.status)).toEqual(llms.map((_, i) => (i === 3 ? 500 : 200)))
      expect(replies[3]?.body).toMatchObject({ statusCode: 500 })
      expect(replies[3]?.text).not.toContain('refused by the test')
      for (const [i, llm] of llms.entries()) {
        const stored = await h.stored(llm.id)
        expect([stored?.maxTokens, stored?.version]).toEqual(i === 3 ? [1024, 1] : [2000 + i, 2])
        const history = (await h.get(`/v1/llms/${llm.id}/history`, t.key)).body.data
        expect(history.map((e: any) => e.version)).toEqual(i === 3 ? [1] : [2, 1])
      }
    } finally {
      await onDatabase('drop trigger refuse_4242 on llms; drop function refuse_4242()')
    }
  })
})
