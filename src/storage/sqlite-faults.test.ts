/**
 * The SQLite file cannot grow (disk full) or cannot be written (read-only): writes answer 503
 * JSON, reads keep working, nothing is half-written. SQLite only. The tests run as root, which
 * file permissions do not stop, so the faults are made by SQLite itself: `max_page_count` caps the
 * file as a full disk would, `query_only` refuses writes as a read-only file would.
 */
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { BACKEND, startHarness, stopHarness, validLlm, type Harness, type Tenant } from '../testing/harness.js'

const run = BACKEND === 'sqlite'
let h: Harness
let t: Tenant
let id: string

beforeAll(async () => {
  if (!run) return
  h = await startHarness()
  t = await h.tenant()
  id = (await h.createLlm(t.key)).id
})
afterAll(async () => {
  if (run) await stopHarness(h)
})

async function snapshot(): Promise<string> {
  return JSON.stringify(await h.requireStorage().db.selectFrom('llms').selectAll().orderBy('id').execute())
}

describe.runIf(run)('SQLite faults', () => {
  test('disk full: writes that need space answer 503 JSON, reads keep working, nothing half-written', async () => {
    const db = h.requireStorage().db
    const pages = await sql<{ page_count: number }>`pragma page_count`.execute(db)
    await sql.raw(`pragma max_page_count = ${pages.rows[0]?.page_count ?? 1}`).execute(db)
    try {
      const before = await snapshot()
      const big = { metadata: { blob: 'x'.repeat(15_000) } }
      const create = await h.post('/v1/llms', t.key, validLlm(big))
      expect(create.status).toBe(503)
      expect(create.body).toMatchObject({ statusCode: 503, message: 'Database unavailable, try again shortly' })
      expect(create.headers.get('retry-after')).toBe('1')
      const update = await h.put(`/v1/llms/${id}`, t.key, big)
      expect(update.status).toBe(503)
      expect(await snapshot()).toBe(before)
      expect((await h.get(`/v1/llms/${id}`, t.key)).status).toBe(200)
      expect((await h.get('/v1/llms', t.key)).status).toBe(200)
    } finally {
      await sql`pragma max_page_count = 4294967294`.execute(db)
    }
    expect((await h.post('/v1/llms', t.key, validLlm({ metadata: { blob: 'x'.repeat(15_000) } }))).status).toBe(201)
  })

  test('read-only: every write answers 503 JSON, reads keep working, nothing changes', async () => {
    const db = h.requireStorage().db
    await sql`pragma query_only = on`.execute(db)
    try {
      const before = await snapshot()
      expect((await h.post('/v1/llms', t.key, validLlm())).status).toBe(503)
      expect((await h.put(`/v1/llms/${id}`, t.key, { temperature: 1.7 })).status).toBe(503)
      expect((await h.delete(`/v1/llms/${id}`, t.key)).status).toBe(503)
      expect(await snapshot()).toBe(before)
      expect((await h.get(`/v1/llms/${id}`, t.key)).body.id).toBe(id)
    } finally {
      await sql`pragma query_only = off`.execute(db)
    }
    expect((await h.put(`/v1/llms/${id}`, t.key, { temperature: 1.7 })).status).toBe(200)
  })
})
